// Replication of inventories to their owners (snapshot, ordered deltas) and of equipped,
// visible items to everyone (Player attributes). Created by bindInventoryRemotes.
export { Replicator } from "./Replicator";
export type { ReplicationOptions } from "./Replicator";
export { clearEquippedAttributes, writeEquippedAttributes } from "./equippedAttributes";
