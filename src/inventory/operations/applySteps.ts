import { Err, ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { scratchInventory } from "../state/cloneInventory";
import { InventoryState, ItemAttrs, ItemStack } from "../state/types";
import { addItem } from "./addItem";
import { adjustCurrency } from "./adjustCurrency";
import { applyChange } from "./applyChange";
import {
	CurrencyChange,
	EquipChange,
	InventoryChange,
	InventoryEvent,
	InventoryOk,
	InventoryResult,
	NO_CHANGE,
	NONE,
	SlotChange,
} from "./change";
import { consumeItem } from "./consumeItem";
import { equipItem } from "./equipItem";
import { mergeStacks } from "./mergeStacks";
import { moveItem } from "./moveItem";
import { RejectReason } from "./reasons";
import { removeItem } from "./removeItem";
import { splitStack } from "./splitStack";
import { unequipItem } from "./unequipItem";

/**
 * One operation of an {@link applySteps} transaction, named like the service's method and with
 * the same arguments. Drops and pickups are not steps: they reach the world's drop registry,
 * which a refused step could not take back.
 */
export type InventoryStep =
	| { readonly op: "grant"; readonly def: string; readonly count?: number; readonly attrs?: ItemAttrs }
	| { readonly op: "take"; readonly id: string; readonly count?: number }
	| { readonly op: "consume"; readonly slot: number; readonly id: string; readonly count?: number }
	| { readonly op: "equip"; readonly slot: number; readonly id: string; readonly equipSlot: string }
	| { readonly op: "unequip"; readonly equipSlot: string; readonly id?: string }
	| { readonly op: "move"; readonly from: number; readonly id: string; readonly to: number }
	| {
			readonly op: "split";
			readonly from: number;
			readonly id: string;
			readonly count: number;
			readonly to: number;
	  }
	| { readonly op: "merge"; readonly from: number; readonly id: string; readonly to: number; readonly toId: string }
	| { readonly op: "adjustCurrency"; readonly currency: string; readonly delta: number };

/** Why a transaction was refused, and which step (0-based) refused it. */
export interface StepRejection extends Err<RejectReason> {
	readonly step: number;
}

/** The outcome of {@link applySteps}: the one change all the steps made, or the first refusal. */
export type StepsResult = InventoryOk | StepRejection;

/** The most steps one transaction may hold. */
export const MAX_STEPS = 64;

/** The length of `value` when it is a plain array (nothing but keys 1..n), else undefined. */
function arrayLength(value: object): number | undefined {
	// Checked first: a metatable's __len or __index could run anything.
	if (getmetatable(value) !== undefined) return undefined;
	let keys = 0;
	for (const [_] of pairs(value)) keys += 1;
	const size = (value as ReadonlyArray<unknown>).size();
	return keys === size ? size : undefined;
}

function refuse(reason: RejectReason, step: number): StepRejection {
	return { ok: false, error: reason, step };
}

/** Runs one step on `state`; undefined when it is not a step. */
function runStep(catalog: Catalog, state: InventoryState, step: unknown): InventoryResult | undefined {
	if (!typeIs(step, "table") || getmetatable(step) !== undefined) return undefined;
	const s = step as { [key: string]: unknown };
	const op = s.op;
	// The operations validate their own arguments; a step only has to name one of them.
	if (op === "grant") return addItem(catalog, state, s.def as string, (s.count ?? 1) as number, s.attrs as ItemAttrs);
	if (op === "take") return removeItem(state, s.id as string, (s.count ?? 1) as number);
	if (op === "consume")
		return consumeItem(catalog, state, s.slot as number, s.id as string, (s.count ?? 1) as number);
	if (op === "equip") return equipItem(catalog, state, s.slot as number, s.id as string, s.equipSlot as string);
	if (op === "unequip") return unequipItem(state, s.equipSlot as string, s.id as string | undefined);
	if (op === "move") return moveItem(state, s.from as number, s.id as string, s.to as number);
	if (op === "split") {
		return splitStack(catalog, state, s.from as number, s.id as string, s.count as number, s.to as number);
	}
	if (op === "merge")
		return mergeStacks(catalog, state, s.from as number, s.id as string, s.to as number, s.toId as string);
	if (op === "adjustCurrency") return adjustCurrency(catalog, state, s.currency as string, s.delta as number);
	return undefined;
}

/** Collects the changes of the steps into one: the last value of each slot, equip slot and balance. */
class Composer {
	private readonly slots = new Map<number, ItemStack | false>();
	private readonly slotOrder = new Array<number>();
	private readonly equipped = new Map<string, string | false>();
	private readonly equipOrder = new Array<string>();
	private readonly currencies = new Map<string, number>();
	private readonly currencyOrder = new Array<string>();
	private readonly minted = new Array<string>();
	private readonly destroyed = new Array<string>();
	private readonly events = new Array<InventoryEvent>();
	private nextSerial?: number;

	public add(change: InventoryChange): void {
		for (const [slot, stack] of change.slots) {
			if (!this.slots.has(slot)) this.slotOrder.push(slot);
			this.slots.set(slot, stack);
		}
		for (const [equipSlot, id] of change.equipped) {
			if (!this.equipped.has(equipSlot)) this.equipOrder.push(equipSlot);
			this.equipped.set(equipSlot, id);
		}
		for (const [currency, balance] of change.currencies) {
			if (!this.currencies.has(currency)) this.currencyOrder.push(currency);
			this.currencies.set(currency, balance);
		}
		for (const id of change.minted) this.minted.push(id);
		for (const id of change.destroyed) this.destroyed.push(id);
		for (const event of change.events) this.events.push(event);
		if (change.nextSerial !== undefined) this.nextSerial = change.nextSerial;
	}

	public build(): InventoryChange {
		// An id minted and destroyed by the same transaction never existed outside it.
		const born = new Set(this.minted);
		const died = new Set(this.destroyed);
		const minted = this.minted.filter((id) => !died.has(id));
		const destroyed = this.destroyed.filter((id) => !born.has(id));
		const slots = this.slotOrder.map((slot): SlotChange => [slot, this.slots.get(slot)!]);
		const equipped = this.equipOrder.map((equipSlot): EquipChange => [equipSlot, this.equipped.get(equipSlot)!]);
		const currencies = this.currencyOrder.map((name): CurrencyChange => [name, this.currencies.get(name)!]);
		return {
			slots: slots.size() > 0 ? slots : NONE,
			equipped: equipped.size() > 0 ? equipped : NONE,
			currencies: currencies.size() > 0 ? currencies : NONE,
			minted: minted.size() > 0 ? minted : NONE,
			destroyed: destroyed.size() > 0 ? destroyed : NONE,
			events: this.events.size() > 0 ? this.events : NONE,
			nextSerial: this.nextSerial,
		};
	}
}

/**
 * Runs several operations as one transaction: every step applies, in order, or none does. Each
 * step sees the state the steps before it left, and is validated exactly as the operation it
 * names. On success the state changes once and the result is one change record holding the
 * last value of every slot, equip slot and balance the steps touched (ids minted and destroyed
 * within the transaction are in neither list); on a refusal the state is untouched and the
 * result names the reason and the step. What a game sells or crafts in one action (coins for an
 * item, ingredients for a product) is a transaction, so a full inventory cannot keep the coins.
 *
 * Reasons: those of the operations, and `invalid_step` for a list that is not an array of at
 * most {@link MAX_STEPS} steps, or a step that names no operation.
 *
 * @example
 * ```ts
 * import { Catalog, InventoryState, applySteps } from "@rbxts/hopsafe";
 *
 * function buySword(catalog: Catalog, inventory: InventoryState) {
 * 	const result = applySteps(catalog, inventory, [
 * 		{ op: "adjustCurrency", currency: "coins", delta: -100 },
 * 		{ op: "grant", def: "sword" },
 * 	]);
 * 	return result.ok ? result.value.minted[0] : `${result.error} at step ${result.step}`;
 * }
 * ```
 */
export function applySteps(catalog: Catalog, state: InventoryState, steps: ReadonlyArray<InventoryStep>): StepsResult {
	const count = typeIs(steps, "table") ? arrayLength(steps) : undefined;
	if (count === undefined || count > MAX_STEPS) return refuse("invalid_step", 0);
	if (count === 0) return ok(NO_CHANGE);
	const working = scratchInventory(state);
	const composer = new Composer();
	for (let index = 0; index < count; index++) {
		const result = runStep(catalog, working, steps[index]);
		if (result === undefined) return refuse("invalid_step", index);
		if (!result.ok) return refuse(result.error, index);
		composer.add(result.value);
	}
	const change = composer.build();
	applyChange(state, change);
	return ok(change);
}
