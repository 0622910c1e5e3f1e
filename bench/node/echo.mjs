// The Node.js floor: returns its event unchanged.
export const handler = async (event) => event;
