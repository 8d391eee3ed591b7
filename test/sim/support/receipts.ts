/** A developer product receipt as Roblox hands it to ProcessReceipt, for calling `process` directly. */
export function receiptOf(playerId: number, purchaseId: string, productId: number): ReceiptInfo {
	return {
		PurchaseId: purchaseId,
		PlayerId: playerId,
		ProductId: productId,
		PlaceIdWherePurchased: 1818,
		CurrencySpent: 25,
		CurrencyType: Enum.CurrencyType.Robux,
	};
}
