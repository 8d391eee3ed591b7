import type { DropRegistry } from "../drops/DropRegistry";
import type { RejectReason } from "../operations/reasons";
import { claimStack, isSlotIndex } from "../operations/stacks";
import type { IntentName } from "../protocol/intents";
import type { InventoryState } from "../state/types";

function claim(state: InventoryState, slot: unknown, itemId: unknown): RejectReason | undefined {
	const stack = claimStack(state, slot, itemId);
	return typeIs(stack, "string") ? stack : undefined;
}

/**
 * Checks what a validated request claims about the requester's own inventory before any
 * handler runs: each named slot exists and holds the item the client says it does (a spoof
 * is `item_mismatch`), a target slot exists, an equip slot holds the named item, a drop token
 * names a drop still in the world. Items are only ever looked up in the requester's own
 * inventory, which is what makes them theirs. Returns the reason to refuse, or undefined.
 */
export function checkClaims(
	state: InventoryState,
	drops: DropRegistry,
	intent: IntentName,
	args: ReadonlyArray<unknown>,
): RejectReason | undefined {
	switch (intent) {
		case "consume":
		case "equip":
		case "drop":
			return claim(state, args[2], args[3]);
		case "move":
		case "split": {
			const reason = claim(state, args[2], args[3]);
			if (reason !== undefined) return reason;
			return isSlotIndex(state, args[intent === "move" ? 4 : 5]) ? undefined : "invalid_slot";
		}
		case "merge":
			return claim(state, args[2], args[3]) ?? claim(state, args[4], args[5]);
		case "unequip": {
			const held = state.equipped[args[2] as string] as string | undefined;
			if (held === undefined) return "not_equipped";
			return held === args[3] ? undefined : "item_mismatch";
		}
		case "pickUp": {
			const token = args[2] as string;
			if (drops.get(token) !== undefined) return undefined;
			return drops.wasTaken(token) ? "drop_taken" : "drop_not_found";
		}
		case "resync":
			return undefined;
	}
}
