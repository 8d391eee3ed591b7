/** The folder under ReplicatedStorage that holds the inventory remotes. */
export const REMOTES_FOLDER = "HopsafeInventory";

/** Client → server: `(requestId, intent, ...args)`. A RemoteEvent. */
export const REQUEST_REMOTE = "Request";

/** Server → owning client: one batch of {@link SyncMessage}s per frame. A RemoteEvent. */
export const SYNC_REMOTE = "Sync";

/** Prefix of the Player attributes that show other players what is equipped and visible. */
export const EQUIPPED_ATTRIBUTE_PREFIX = "Equipped_";

/**
 * The Player attribute that shows the item in `equipSlot` to other players: `Equipped_<slot>`,
 * with any character an attribute name cannot hold replaced by `_`.
 */
export function equippedAttribute(equipSlot: string): string {
	const [name] = equipSlot.gsub("[^%w_]", "_");
	return EQUIPPED_ATTRIBUTE_PREFIX + name;
}
