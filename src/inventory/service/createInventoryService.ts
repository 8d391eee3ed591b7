import { InventoryServiceImpl } from "./InventoryServiceImpl";
import type { InventoryService, InventoryServiceOptions } from "./types";

/**
 * Creates the server-authoritative inventory service over a vault's sessions. It serves each
 * player from the moment their session loads (after checking the inventory's invariants) until
 * it is released, applies every operation to the session's data atomically, returns a result
 * with a reason code instead of throwing, fires typed signals for game systems, and saves soon
 * after valuable changes (see {@link EarlySavePolicy}) while ordinary ones wait for the
 * auto-save. Bind it to remotes with `bindInventoryRemotes` to serve clients.
 *
 * @example
 * ```ts
 * import { createInventory, createInventoryService, createVault, defineCatalog, InventoryState } from "@rbxts/hopsafe";
 * import { t } from "@rbxts/t";
 *
 * interface PlayerData {
 * 	inventory: InventoryState;
 * }
 *
 * const catalog = defineCatalog(
 * 	[
 * 		{ key: "sword", equipSlots: ["weapon"], rarity: "rare", visibleWhenEquipped: true },
 * 		{ key: "potion", stackable: true, maxStack: 20, consumable: true },
 * 	],
 * 	["coins"],
 * );
 * const vault = createVault<PlayerData>({
 * 	name: "PlayerData",
 * 	// Owner 0 is a placeholder: the service claims the inventory for the player on load.
 * 	template: { inventory: createInventory(0, 24) },
 * 	schema: t.interface({ inventory: t.table }) as (value: unknown) => value is PlayerData,
 * });
 * const inventory = createInventoryService({
 * 	catalog,
 * 	sessions: vault,
 * 	select: (data) => data.inventory,
 * 	policy: { minRarity: "rare" },
 * });
 * inventory.consumed.Connect((player, event) => print(`${player.Name} drank ${event.count} ${event.def}`));
 * inventory.ready.Connect((player) => {
 * 	const granted = inventory.grant(player, "potion", 3);
 * 	if (!granted.ok) warn(granted.error); // e.g. "inventory_full"
 * });
 * ```
 *
 * In external authority the sync client is the authority: the profile keeps the slot layout,
 * the save API the items and balances (see `InventoryServiceOptions.authority`).
 *
 * @example
 * ```ts
 * import { createInventory, createInventoryService, createSync, createSyncRecord, createVault, defineCatalog, InventoryState, isSyncRecord, SyncRecord } from "@rbxts/hopsafe";
 * import { t } from "@rbxts/t";
 *
 * interface PlayerData {
 * 	sync: SyncRecord;
 * 	inventory: InventoryState;
 * }
 *
 * const catalog = defineCatalog([{ key: "potion", stackable: true, maxStack: 20 }], ["coins"]);
 * const sync = createSync<PlayerData>({ baseUrl: "https://save.example.com", select: (data) => data.sync });
 * const vault = createVault<PlayerData>({
 * 	name: "PlayerData",
 * 	template: { sync: createSyncRecord(), inventory: createInventory(0, 24) },
 * 	schema: t.interface({ sync: isSyncRecord, inventory: t.table }) as (value: unknown) => value is PlayerData,
 * 	hooks: sync.hooks,
 * });
 * const inventory = createInventoryService({ catalog, sessions: vault, select: (data) => data.inventory, authority: sync });
 * inventory.unplaced.Connect((player, items) => warn(`${player.Name}: ${items.size()} items have no slot`));
 * ```
 */
export function createInventoryService<T extends object>(options: InventoryServiceOptions<T>): InventoryService {
	return new InventoryServiceImpl(options as unknown as InventoryServiceOptions<object>);
}
