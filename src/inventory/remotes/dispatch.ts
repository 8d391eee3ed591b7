import type { IntentName } from "../protocol/intents";
import type { PlayerEntry } from "../service/entry";
import type { InventoryServiceImpl } from "../service/InventoryServiceImpl";
import type { ServiceResult } from "../service/types";

/** Runs a validated, claimed request through the service (the handler). `resync` is not routed here. */
export function dispatch(
	service: InventoryServiceImpl,
	entry: PlayerEntry,
	intent: IntentName,
	args: ReadonlyArray<unknown>,
	request: number,
): ServiceResult {
	const a = args[2];
	const b = args[3];
	const c = args[4];
	const d = args[5];
	switch (intent) {
		case "consume":
			return service.consumeFor(entry, a as number, b as string, c as number, request);
		case "move":
			return service.moveFor(entry, a as number, b as string, c as number, request);
		case "split":
			return service.splitFor(entry, a as number, b as string, c as number, d as number, request);
		case "merge":
			return service.mergeFor(entry, a as number, b as string, c as number, d as string, request);
		case "equip":
			return service.equipFor(entry, a as number, b as string, c as string, request);
		case "unequip":
			return service.unequipFor(entry, a as string, b as string, request);
		case "drop":
			return service.dropFor(entry, a as number, b as string, c as number, request);
		case "pickUp":
			return service.pickUpFor(entry, a as string, request);
		case "resync":
			throw "resync is answered by the middleware";
	}
}
