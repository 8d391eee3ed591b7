// Service entry points for moving stacks between inventories keeping their ids (trades, gifts,
// escrows). Each applies to a served player's inventory atomically and is replicated to the
// owner like any other change. Internal: the trade service is their user.
import { err, type Result } from "../../core/result";
import { NO_CHANGE, type InventoryChange } from "../operations/change";
import type { ServiceRejectReason } from "../protocol/reasons";
import { InventoryServiceImpl } from "./InventoryServiceImpl";
import { checkPut, checkTake, putStacks, takeStacks, type StackBundle, type StackClaim } from "./transferStacks";
import type { ItemAuthority, InventoryService, PlayerRef } from "./types";
import type { InventoryState } from "../state/types";
import { mintItemId } from "../state/mintItemId";

function implOf(service: InventoryService): InventoryServiceImpl {
	if (!(service instanceof InventoryServiceImpl)) {
		throw "the trade layer needs an inventory service made by createInventoryService";
	}
	return service;
}

/** The live inventory of a served player (not a copy): for checks that must not allocate. */
export function liveInventory(service: InventoryService, player: PlayerRef): InventoryState | undefined {
	return implOf(service).entryOf(player)?.state;
}

/** Whether `claims` and `currency` could be taken from the player's inventory now (see `checkTake`). */
export function canTake(
	service: InventoryService,
	player: PlayerRef,
	claims: ReadonlyArray<StackClaim>,
	currency: Readonly<Record<string, number>>,
): ServiceRejectReason | undefined {
	const impl = implOf(service);
	const entry = impl.entryOf(player);
	if (entry === undefined) return "no_session";
	if (impl.external !== undefined) return "authority_refused";
	return checkTake(impl.catalog, entry.state, claims, currency);
}

/** Whether `bundle` would fit into the player's inventory now (see `checkPut`). */
export function canPut(
	service: InventoryService,
	player: PlayerRef,
	bundle: StackBundle,
): ServiceRejectReason | undefined {
	const impl = implOf(service);
	const entry = impl.entryOf(player);
	if (entry === undefined) return "no_session";
	if (impl.external !== undefined) return "authority_refused";
	return checkPut(impl.catalog, entry.state, bundle);
}

/**
 * Takes items (keeping their ids) and currency out of a served player's inventory for a
 * transfer, all or nothing, and records the change for replication. The caller owns what it
 * returns: the items are in no inventory until it puts them somewhere.
 */
export function takeForTransfer(
	service: InventoryService,
	player: PlayerRef,
	claims: ReadonlyArray<StackClaim>,
	currency: Readonly<Record<string, number>>,
): Result<StackBundle, ServiceRejectReason> {
	const impl = implOf(service);
	const entry = impl.entryOf(player);
	if (entry === undefined) return err("no_session");
	if (impl.external !== undefined) return err("authority_refused");
	const taken = takeStacks(impl.catalog, entry.state, claims, currency);
	if (!taken.ok) return taken;
	if (!impl.commitOwn(entry, taken.value.change)) return err("authority_refused");
	return { ok: true, value: taken.value.bundle };
}

/**
 * Puts a transfer's stacks (keeping their ids) and currency into a served player's inventory,
 * all or nothing, and records the change for replication.
 */
export function putFromTransfer(
	service: InventoryService,
	player: PlayerRef,
	bundle: StackBundle,
): Result<InventoryChange, ServiceRejectReason> {
	const impl = implOf(service);
	const entry = impl.entryOf(player);
	if (entry === undefined) return err("no_session");
	if (impl.external !== undefined) return err("authority_refused");
	const put = putStacks(impl.catalog, entry.state, bundle);
	if (put.ok && !impl.commitOwn(entry, put.value)) return err("authority_refused");
	return put;
}

/** The external authority the service writes through, in that mode. */
export function authorityOf(service: InventoryService): ItemAuthority | undefined {
	return implOf(service).external?.authority;
}

/**
 * Mints `count` ids in a served player's series (for the parts of stacks an external transfer
 * moves) and records the inventory's new serial; undefined when the player is not served.
 */
export function mintForTransfer(
	service: InventoryService,
	player: PlayerRef,
	count: number,
): ReadonlyArray<string> | undefined {
	const impl = implOf(service);
	const entry = impl.entryOf(player);
	if (entry === undefined) return undefined;
	const ids = new Array<string>();
	if (count === 0) return ids;
	for (let index = 0; index < count; index++) ids.push(mintItemId(entry.state));
	const change: InventoryChange = { ...NO_CHANGE, nextSerial: entry.state.nextSerial };
	return impl.commitOwn(entry, change) ? ids : undefined;
}

/**
 * External authority: from now until {@link releaseHold}, changes to the player's inventory
 * that would take the stacks `ids` (below their count now) or the `currency` a trade offers are
 * refused (`authority_refused`), so the trade's transfer is not refused for want of them. They
 * may still move. False when the player is not served here.
 */
export function holdForTrade(
	service: InventoryService,
	player: PlayerRef,
	trade: string,
	ids: ReadonlyArray<string>,
	currency: Readonly<Record<string, number>>,
): boolean {
	const entry = implOf(service).entryOf(player);
	if (entry === undefined) return false;
	const stacks = new Map<string, number>();
	for (const stack of entry.state.slots)
		if (stack !== false && ids.includes(stack.id)) stacks.set(stack.id, stack.count);
	// At most what the other holds leave: a trade held again on a later load may have applied
	// already, and a hold over more than the player has would refuse every change they make.
	const held: Record<string, number> = {};
	for (const [name, amount] of pairs(currency))
		held[name] = math.max(0, math.min(amount, unheldCurrency(service, player, name, trade)));
	entry.holds.set(trade, { stacks, currency: held });
	return true;
}

/** Ends what {@link holdForTrade} held for `trade` (nothing if the player left). */
export function releaseHold(service: InventoryService, player: PlayerRef, trade: string): void {
	implOf(service).entryOf(player)?.holds.delete(trade);
}

/**
 * How much of `currency` the player has that no waiting trade other than `trade` holds (see
 * {@link holdForTrade}); 0 when the player is not served here.
 */
export function unheldCurrency(service: InventoryService, player: PlayerRef, currency: string, trade: string): number {
	const entry = implOf(service).entryOf(player);
	if (entry === undefined) return 0;
	let free = entry.state.currencies[currency] ?? 0;
	for (const [other, hold] of entry.holds) if (other !== trade) free -= hold.currency[currency] ?? 0;
	return free;
}

/** Whether the item is offered by a waiting trade other than `trade` (see {@link holdForTrade}). */
export function isHeldElsewhere(service: InventoryService, player: PlayerRef, id: string, trade: string): boolean {
	const holds = implOf(service).entryOf(player)?.holds;
	if (holds === undefined) return false;
	for (const [other, hold] of holds) if (other !== trade && hold.stacks.has(id)) return true;
	return false;
}
