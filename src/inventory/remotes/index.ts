// Remotes: one binding call creates them and routes every request through one middleware.
export { bindInventoryRemotes } from "./bindInventoryRemotes";
export type { AuthorizeRequest } from "./RequestMiddleware";
export type { RateLimit } from "./TokenBuckets";
export type { InventoryRemotes, InventoryRemotesOptions } from "./types";
