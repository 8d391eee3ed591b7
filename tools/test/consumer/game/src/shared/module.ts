// A shared module, as the game template has one: the server script requires it across services.
export function describeCoins(userId: number, coins: number): string {
	return `${userId} has ${coins} coins`;
}
