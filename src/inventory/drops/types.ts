import { ItemStack } from "../state/types";

/**
 * An item lying in the world. The `token` is the unguessable ownership token minted by the
 * server: whoever presents it may try to pick the drop up, and only one attempt succeeds. The
 * stack keeps the id it had in the inventory.
 */
export interface WorldDrop {
	readonly token: string;
	readonly stack: ItemStack;
	/** The user id of the player who dropped it. */
	readonly owner: number;
}
