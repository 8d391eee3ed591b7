// Developer product purchases granted through the inventory, exactly once per purchase id.
export { bindPurchases } from "./bindPurchases";
export { createPurchaseLedger } from "./createPurchaseLedger";
export type { PurchaseLedger, PurchaseRefusal, Purchases, PurchasesOptions } from "./types";
