/** Bad import input (an unreachable source, not an allauth schema, …): one line, nothing written */
export class ImportInputError extends Error {}
