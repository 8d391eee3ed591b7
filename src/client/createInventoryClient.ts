import { REMOTES_FOLDER } from "../inventory/protocol/names";
import { InventoryClientImpl, type InventoryClient, type InventoryClientOptions } from "./InventoryClient";

/**
 * The client side of the inventory. Import it as `@rbxts/hopsafe/out/client`: that module loads
 * only the pure inventory core and the protocol, never the vault or ProfileService, so it is
 * safe on the client (the package index is server code). It holds the player's inventory as
 * the server replicates it (a snapshot, then ordered deltas; on a sequence gap it asks for a
 * resync), sends intents (never state), predicts each one by running the same core operation
 * locally, and rolls the prediction back when the server refuses it (with the reason) or never
 * answers, or replaces it with the server's delta. Waits for the remotes folder
 * `bindInventoryRemotes` creates.
 *
 * @example
 * ```ts
 * // On the client: import { createInventoryClient, defineCatalog } from "@rbxts/hopsafe/out/client";
 * import type { Catalog, InventoryClient } from "@rbxts/hopsafe";
 *
 * function hud(createInventoryClient: (options: { catalog: Catalog }) => InventoryClient, catalog: Catalog) {
 * 	const inventory = createInventoryClient({ catalog });
 * 	inventory.changed.Connect((view) => print(`${view.slots.filter((slot) => slot !== false).size()} stacks`));
 * 	inventory.rejected.Connect((intent, reason) => warn(`${intent} refused: ${reason}`));
 * 	return (slot: number) => {
 * 		const stack = inventory.view()?.slots[slot];
 * 		if (stack !== undefined && stack !== false) inventory.consume(slot, stack.id);
 * 	};
 * }
 * ```
 */
export function createInventoryClient(options: InventoryClientOptions): InventoryClient {
	const folder = options.folder ?? game.GetService("ReplicatedStorage").WaitForChild(REMOTES_FOLDER);
	return new InventoryClientImpl(options, folder);
}
