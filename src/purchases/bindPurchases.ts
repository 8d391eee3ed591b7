import { describeThrown, type HopsafeError } from "../core/errors";
import { reportCallbackFailure } from "../inventory/protocol/reportCallbackFailure";
import type { InventoryChange } from "../inventory/operations/change";
import type { InventoryStep } from "../inventory/operations/applySteps";
import { HookSignal } from "../inventory/protocol/signal";
import { defaultPlatform } from "../platform";
import type { Session } from "../vault/types";
import type { PurchaseLedger, PurchaseRefusal, Purchases, PurchasesOptions } from "./types";

const DEFAULT_KEEP = 100;
const DEFAULT_SESSION_WAIT = 60;

/** A definitive refusal by the save API (as opposed to no answer in time). */
function isRejection(failure: unknown): boolean {
	const kind = typeIs(failure, "table") ? (failure as { kind?: unknown }).kind : undefined;
	return kind === "ApiRejected" || kind === "VersionConflict";
}

function removeFrom(list: Array<string> | undefined, value: string): void {
	if (!typeIs(list, "table")) return;
	const index = list.indexOf(value);
	if (index >= 0) list.remove(index);
}

/** Drops the oldest entries of `list` past `keep` that are not in `held`. */
function trim(list: Array<string>, keep: number, held?: ReadonlyArray<string>): void {
	let index = 0;
	while (list.size() > keep && index < list.size()) {
		if (held?.includes(list[index])) index += 1;
		else list.remove(index);
	}
}

/** Appends `value`, dropping the oldest entries past `keep` that are not in `held`. */
function pushBounded(list: Array<string>, value: string, keep: number, held?: ReadonlyArray<string>): void {
	list.push(value);
	trim(list, keep, held);
}

/**
 * The idempotency key of a purchase's attempt after `refused` refusals. The first keeps the
 * form earlier versions used; later ones differ before the id, so no purchase id can make one
 * key another's.
 */
function purchaseKey(purchaseId: string, refused: number): string {
	return refused === 0 ? `purchase:${purchaseId}` : `purchase.${refused}:${purchaseId}`;
}

/** How many times the API refused `purchaseId` (0 for a ledger without a usable count). */
function refusalsOf(ledger: PurchaseLedger, purchaseId: string): number {
	const count = typeIs(ledger.refused, "table") ? ledger.refused[purchaseId] : undefined;
	return typeIs(count, "number") && count >= 0 && count % 1 === 0 ? count : 0;
}

/** Counts a refusal of `purchaseId`, keeping at most `keep` counts (a dropped one restarts at 0). */
function countRefusal(ledger: PurchaseLedger, purchaseId: string, keep: number): void {
	const count = refusalsOf(ledger, purchaseId) + 1;
	if (!typeIs(ledger.refused, "table")) ledger.refused = {};
	const refused = ledger.refused;
	delete refused[purchaseId];
	let size = 0;
	for (const [id] of pairs(refused)) {
		size += 1;
		if (size >= keep) delete refused[id];
	}
	refused[purchaseId] = count;
}

function isLedger(value: unknown): value is PurchaseLedger {
	return typeIs(value, "table") && typeIs((value as { ids?: unknown }).ids, "table");
}

/**
 * Grants developer products through the inventory, exactly once per purchase: binds
 * `MarketplaceService.ProcessReceipt` so that each receipt applies its product's steps as one
 * inventory transaction and records the purchase id in the profile, in the same frame, and
 * answers `PurchaseGranted` only once that save has landed. A receipt Roblox delivers again (its
 * answer lost, the server crashed after saving) finds its id and grants nothing twice; a
 * receipt whose grant never reached the DataStore finds neither and is granted then. A player
 * not on this server, a session not loaded yet, a refused transaction (a full inventory) or a
 * failed save answer `NotProcessedYet`, and Roblox delivers the receipt again later (a player
 * whose session is still loading is waited for, up to `sessionWait` seconds). In external
 * authority the purchase is one save API transaction keyed by its PurchaseId, applied once
 * whichever server sends it, and `PurchaseGranted` also waits for the API to apply it; a
 * purchase the API refused is asked again under a new key at its next delivery.
 *
 * @example
 * ```ts
 * import { InventoryService, SessionSource, bindPurchases, createPurchaseLedger, PurchaseLedger } from "@rbxts/hopsafe";
 *
 * function sellPotions(inventory: InventoryService, vault: SessionSource<{ purchases?: PurchaseLedger }>) {
 * 	const purchases = bindPurchases({
 * 		inventory,
 * 		vault,
 * 		ledger: (data) => (data.purchases ??= createPurchaseLedger()),
 * 		products: new Map([[1234567, [{ op: "grant", def: "potion", count: 10 }]]]),
 * 	});
 * 	purchases.granted.Connect((player, receipt) => print(`${player.Name} bought ${receipt.ProductId}`));
 * }
 * ```
 */
export function bindPurchases<T extends object>(options: PurchasesOptions<T>): Purchases {
	const platform = options.platform ?? defaultPlatform();
	const keep = math.max(1, options.keep ?? DEFAULT_KEEP);
	const sessionWait = math.max(0, options.sessionWait ?? DEFAULT_SESSION_WAIT);
	const callbackFailed = new HookSignal<[failure: HopsafeError<"CallbackFailed">]>("callbackFailed", (_s, thrown) =>
		warn(`[hopsafe] a callbackFailed listener threw: ${describeThrown(thrown)}`),
	);
	const report = (callback: string, thrown: unknown) => reportCallbackFailure(callbackFailed, callback, thrown);
	const granted = new HookSignal<[player: Player, receipt: ReceiptInfo, change: InventoryChange]>(
		"granted",
		(_s, e) => report("granted listener", e),
	);
	const deferred = new HookSignal<[userId: number, receipt: ReceiptInfo, refusal: PurchaseRefusal]>(
		"deferred",
		(_s, e) => report("deferred listener", e),
	);
	// Grants made here whose save has not been confirmed yet, by purchase id: `granted` fires
	// once one lands, also when that is a later delivery's save. A session that ends takes its
	// entries with it: its last save either stored the grant and its id or neither, and the
	// next server decides from what is stored.
	const unsaved = new Map<string, { readonly userId: number; readonly change: InventoryChange }>();
	const released = options.vault.released.Connect((userId) => {
		for (const [purchaseId, entry] of unsaved) if (entry.userId === userId) unsaved.delete(purchaseId);
	});

	const defer = (receipt: ReceiptInfo, refusal: PurchaseRefusal): Enum.ProductPurchaseDecision => {
		if (deferred.listening) deferred.Fire(receipt.PlayerId, receipt, refusal);
		return Enum.ProductPurchaseDecision.NotProcessedYet;
	};

	const stepsFor = (receipt: ReceiptInfo): ReadonlyArray<InventoryStep> | undefined | false => {
		const product = options.products.get(receipt.ProductId);
		if (product === undefined || !typeIs(product, "function")) return product;
		const [ok, steps] = pcall(product, receipt);
		if (ok) return steps;
		report(`product ${receipt.ProductId}`, steps);
		return false;
	};

	// Receipts come as the player joins, usually before their session has loaded: waiting here
	// grants them at once instead of at Roblox's next delivery.
	const awaitSession = (player: Player): Session<T> | undefined => {
		let session = options.vault.getSession(player);
		let waited = 0;
		while (session === undefined && waited < sessionWait && player.Parent !== undefined) {
			waited += task.wait(0.5);
			session = options.vault.getSession(player);
		}
		return session !== undefined && session.isActive() ? session : undefined;
	};

	const ledgerOf = (session: Session<T>): PurchaseLedger | undefined => {
		const [selected, ledger] = pcall(options.ledger, session.data);
		if (selected && isLedger(ledger)) return ledger;
		report("ledger", selected ? "it returned no ledger" : ledger);
		return undefined;
	};

	/**
	 * Applies the product as one transaction under the purchase's key; when `recording`, also
	 * records the id, in the same frame, so the two are saved together or not at all. Returns
	 * the answer to give when it could not.
	 */
	const grant = (
		receipt: ReceiptInfo,
		player: Player,
		ledger: PurchaseLedger,
		key: string,
		recording: boolean,
	): Enum.ProductPurchaseDecision | undefined => {
		const steps = stepsFor(receipt);
		if (steps === undefined) return defer(receipt, { kind: "unknown_product" });
		if (steps === false) return Enum.ProductPurchaseDecision.NotProcessedYet;
		const result = options.inventory.transact(player, steps, { key });
		if (!result.ok) return defer(receipt, { kind: "refused", result });
		if (recording) {
			// Roblox delivers the receipt again until it is answered PurchaseGranted: its id stays
			// in the ledger until then, however many purchases are granted meanwhile.
			if (!typeIs(ledger.unanswered, "table")) ledger.unanswered = [];
			ledger.unanswered.push(receipt.PurchaseId);
			pushBounded(ledger.ids, receipt.PurchaseId, keep, ledger.unanswered);
			pushBounded((ledger.unconfirmed ??= []), receipt.PurchaseId, keep, ledger.unanswered);
		}
		unsaved.set(receipt.PurchaseId, { userId: receipt.PlayerId, change: result.value });
		return undefined;
	};

	/**
	 * External authority: the grant counts once the save API holds it (at once otherwise).
	 * Returns the answer to give when it does not (yet).
	 */
	const confirm = (
		receipt: ReceiptInfo,
		player: Player,
		ledger: PurchaseLedger,
		key: string,
	): Enum.ProductPurchaseDecision | undefined => {
		const [confirmed, failure] = options.inventory.awaitTransaction(player, key).await();
		if (!confirmed && !isRejection(failure)) return defer(receipt, { kind: "unconfirmed", error: failure });
		removeFrom(ledger.unconfirmed, receipt.PurchaseId);
		if (confirmed) {
			if (typeIs(ledger.refused, "table")) delete ledger.refused[receipt.PurchaseId];
			return undefined;
		}
		// Refused and rolled back: the id leaves the ledger with the grant, and the next delivery
		// asks under the next key (this one stays refused at the API). A crash that loses this
		// count only makes the next server ask under this key again and be refused again.
		removeFrom(ledger.ids, receipt.PurchaseId);
		removeFrom(ledger.unanswered, receipt.PurchaseId);
		countRefusal(ledger, receipt.PurchaseId, keep);
		unsaved.delete(receipt.PurchaseId);
		return defer(receipt, { kind: "authority_refused", error: failure });
	};

	const process = (receipt: ReceiptInfo): Enum.ProductPurchaseDecision => {
		if (!typeIs(receipt, "table") || !typeIs(receipt.PurchaseId, "string") || !typeIs(receipt.PlayerId, "number")) {
			return Enum.ProductPurchaseDecision.NotProcessedYet;
		}
		const player = platform.players.GetPlayerByUserId(receipt.PlayerId);
		const session = player && awaitSession(player);
		const ledger = session && ledgerOf(session);
		if (player === undefined || session === undefined || ledger === undefined) {
			return Enum.ProductPurchaseDecision.NotProcessedYet;
		}
		// External authority: one API transaction per purchase id and attempt, whichever server
		// sends it, so a grant the API applied before a crash lost the profile's copy applies once.
		const key = purchaseKey(receipt.PurchaseId, refusalsOf(ledger, receipt.PurchaseId));
		if (!ledger.ids.includes(receipt.PurchaseId)) {
			const refused = grant(receipt, player, ledger, key, true);
			if (refused !== undefined) return refused;
		} else if (ledger.unconfirmed?.includes(receipt.PurchaseId) && !options.inventory.isPending(player, key)) {
			// Granted by a session that never saw the API's answer (it crashed, or its own outbox
			// replay was refused): the same transaction under the same key asks the API again.
			const refused = grant(receipt, player, ledger, key, false);
			if (refused !== undefined) return refused;
		}
		const unconfirmed = confirm(receipt, player, ledger, key);
		if (unconfirmed !== undefined) return unconfirmed;
		const [saved, saveError] = session.saveAsync().await();
		if (!saved) return defer(receipt, { kind: "save_failed", error: saveError });
		const entry = unsaved.get(receipt.PurchaseId);
		if (entry !== undefined) {
			unsaved.delete(receipt.PurchaseId);
			if (granted.listening) granted.Fire(player, receipt, entry.change);
		}
		if (typeIs(ledger.unanswered, "table") && ledger.unanswered.includes(receipt.PurchaseId)) {
			removeFrom(ledger.unanswered, receipt.PurchaseId);
			trim(ledger.ids, keep, ledger.unanswered);
		}
		return Enum.ProductPurchaseDecision.PurchaseGranted;
	};

	const marketplace = platform.marketplaceService;
	const bind = options.bind !== false;
	if (bind) marketplace.ProcessReceipt = process;
	return {
		granted,
		deferred,
		callbackFailed,
		process,
		unbind: () => {
			released.Disconnect();
			if (bind) marketplace.ProcessReceipt = undefined;
		},
	};
}
