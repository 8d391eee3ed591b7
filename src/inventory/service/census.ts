import type { WorldDrop } from "../drops/types";
import type { PlayerEntry } from "./entry";
import type { InventoryCensus } from "./types";

/** Where every item id is among the served inventories and the world drops. Internal. */
export function takeCensus(
	entries: ReadonlyMap<number, PlayerEntry>,
	drops: ReadonlyArray<WorldDrop>,
): InventoryCensus {
	const locations = new Map<string, string>();
	const dupes = new Array<string>();
	const place = (id: string, where: string) => {
		if (locations.has(id)) {
			if (!dupes.includes(id)) dupes.push(id);
		} else locations.set(id, where);
	};
	for (const [userId, entry] of entries) {
		const where = `inventory:${userId}`;
		for (const stack of entry.state.slots) if (stack !== false) place(stack.id, where);
	}
	for (const drop of drops) place(drop.stack.id, `drop:${drop.token}`);
	return { locations, dupes };
}
