/* Types of the plain-JavaScript node24.js, which must run before TypeScript can be loaded */
export declare const APP_ROOT: string
export declare const REQUIRED_NODE_MAJOR: number
export declare function ensureNode24(): Promise<void>
