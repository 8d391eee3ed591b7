import type { HopsafeError } from "../core/errors";
import type { InventoryChange } from "../inventory/operations/change";
import type { InventoryStep } from "../inventory/operations/applySteps";
import type { InventorySignal } from "../inventory/protocol/signal";
import type { InventoryService, SessionSource, TransactResult } from "../inventory/service/types";
import type { Platform } from "../platform";

/**
 * The purchase ids a profile has granted, newest last: what makes a receipt that Roblox
 * delivers again (its answer lost, the server gone) grant nothing twice. Keep it in the profile
 * data, next to the inventory, so both are saved together.
 */
export interface PurchaseLedger {
	ids: Array<string>;
	/**
	 * Granted ids whose receipt has not been answered `PurchaseGranted` yet (its save was not
	 * confirmed): Roblox delivers them again, so the bound on `ids` never drops them.
	 */
	unanswered?: Array<string>;
	/**
	 * External authority: granted ids whose save API transaction this profile has not seen
	 * answered yet. A later delivery sends it again under the same key and learns the answer.
	 */
	unconfirmed?: Array<string>;
	/**
	 * External authority: how many times the save API refused each purchase not granted yet,
	 * by purchase id. The API keeps refusing a refused key, so the next delivery asks under the
	 * next key; a key is only used once the one before it was refused, so at most one applies.
	 */
	refused?: Record<string, number>;
}

/**
 * Why a receipt was not granted this time; Roblox delivers it again later. External authority
 * only: `authority_refused`, the save API refused the purchase's transaction (another writer
 * spent the coins it costs, say; a later delivery asks again under a new key, so it is granted
 * once the player can take it);
 * `unconfirmed`, the API did not answer in time (the transaction stays queued).
 */
export type PurchaseRefusal =
	| { readonly kind: "unknown_product" }
	| { readonly kind: "refused"; readonly result: Exclude<TransactResult, { ok: true }> }
	| { readonly kind: "save_failed"; readonly error: unknown }
	| { readonly kind: "authority_refused"; readonly error: unknown }
	| { readonly kind: "unconfirmed"; readonly error: unknown };

export interface PurchasesOptions<T extends object> {
	/** The inventory service that applies what a product grants. */
	readonly inventory: InventoryService;
	/** Where players' sessions come from: the vault the inventory uses. */
	readonly vault: SessionSource<T>;
	/** The purchase ledger inside the profile data, e.g. `(data) => (data.purchases ??= createPurchaseLedger())`. */
	readonly ledger: (data: T) => PurchaseLedger;
	/**
	 * What each developer product grants, by product id: the steps of one inventory transaction
	 * (see `transact`). A function gets the receipt, for grants that depend on it.
	 */
	readonly products: ReadonlyMap<
		number,
		ReadonlyArray<InventoryStep> | ((receipt: ReceiptInfo) => ReadonlyArray<InventoryStep>)
	>;
	/** Seconds a receipt waits for the session of a player on this server to load (default 60). */
	readonly sessionWait?: number;
	/**
	 * How many purchase ids a profile keeps (default 100, oldest dropped first; an id whose
	 * receipt has not been answered `PurchaseGranted` yet is kept past it).
	 */
	readonly keep?: number;
	/**
	 * Whether to set `MarketplaceService.ProcessReceipt` (default true). A game that has one
	 * receipt handler for several systems sets false and calls `process` for these products.
	 */
	readonly bind?: boolean;
	/** The services to use (default: the real ones). */
	readonly platform?: Platform;
}

export interface Purchases {
	/**
	 * A purchase was granted and saved; Roblox is told right after. Fires once per purchase id, on
	 * the server whose session granted it, when a save of that session confirms it (a grant
	 * stored only by the session's release is not reported).
	 */
	readonly granted: InventorySignal<[player: Player, receipt: ReceiptInfo, change: InventoryChange]>;
	/** A receipt could not be granted now (NotProcessedYet): Roblox delivers it again later. */
	readonly deferred: InventorySignal<[userId: number, receipt: ReceiptInfo, refusal: PurchaseRefusal]>;
	/** A listener or a product function threw. */
	readonly callbackFailed: InventorySignal<[failure: HopsafeError<"CallbackFailed">]>;
	/**
	 * The receipt handler itself, as it is bound to `ProcessReceipt`: for a game that routes
	 * receipts through its own handler, or a test.
	 */
	readonly process: (receipt: ReceiptInfo) => Enum.ProductPurchaseDecision;
	/** Unbinds `ProcessReceipt` (when this binding set it). */
	readonly unbind: () => void;
}
