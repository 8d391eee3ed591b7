// Checks a transfer's legs the way the save API's schema does, so a malformed transfer is
// refused before any request is sent. Pure.
import { isCount } from "../inventory/integers";
import { isName } from "./state";
import type { SyncTransferLeg } from "./types";

/** Most legs in one transfer, items in one leg and currencies in one leg (the API's limits). */
export const MAX_LEGS = 20;
export const MAX_LEG_ITEMS = 50;
export const MAX_LEG_CURRENCIES = 20;

function isUserId(value: unknown): value is number {
	return isCount(value);
}

function checkLeg(leg: SyncTransferLeg): boolean {
	if (!typeIs(leg, "table") || !isUserId(leg.from) || !isUserId(leg.to) || leg.from === leg.to) return false;
	let moves = 0;
	if (leg.items !== undefined) {
		if (!typeIs(leg.items, "table") || leg.items.size() > MAX_LEG_ITEMS) return false;
		for (const item of leg.items) {
			if (!typeIs(item, "table") || !isName(item.id)) return false;
			if (item.count !== undefined && !isCount(item.count)) return false;
			if (item.newId !== undefined && !isName(item.newId)) return false;
			moves += 1;
		}
	}
	if (leg.currencies !== undefined) {
		if (!typeIs(leg.currencies, "table")) return false;
		let currencies = 0;
		for (const [currency, amount] of pairs(leg.currencies)) {
			if (!isName(currency) || !isCount(amount)) return false;
			currencies += 1;
		}
		if (currencies > MAX_LEG_CURRENCIES) return false;
		moves += currencies;
	}
	return moves > 0;
}

/** Whether `legs` is a transfer the API accepts the shape of: 1–20 legs, each moving something between two players. */
export function isTransfer(legs: ReadonlyArray<SyncTransferLeg>): boolean {
	if (!typeIs(legs, "table") || legs.size() === 0 || legs.size() > MAX_LEGS) return false;
	for (const leg of legs) if (!checkLeg(leg)) return false;
	return true;
}
