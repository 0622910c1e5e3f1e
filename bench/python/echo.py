"""The Python floor: returns its event unchanged."""


def handler(event, context):
    return event
