import type { OpenCloudConfig } from "../config.js";

/** The result of one publish attempt. */
export type PublishResult = { ok: true } | { ok: false; reason: string; retryAfterMs?: number };

/** Sends one player's invalidation. */
export type Publisher = (playerId: number, version: number) => Promise<PublishResult>;

/** Longest one publish may take, response body included. */
export const PUBLISH_TIMEOUT_MS = 5000;

function retryAfterMs(header: string | null): number | undefined {
	if (header === null) return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(header);
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The invalidation message: `{"p":<userId>,"v":<version>}` (far under Open Cloud's 1 KiB limit). */
export function invalidationMessage(playerId: number, version: number): string {
	return JSON.stringify({ p: playerId, v: version });
}

/**
 * Publishes through Open Cloud MessagingService:
 * POST {base}/cloud/v2/universes/{universeId}:publishMessage, x-api-key, {"topic","message"}.
 */
export function createOpenCloudPublisher(config: OpenCloudConfig, fetchImpl: typeof fetch = fetch): Publisher {
	const url = `${config.baseUrl}/cloud/v2/universes/${config.universeId}:publishMessage`;
	return async (playerId, version) => {
		try {
			const response = await fetchImpl(url, {
				method: "POST",
				headers: { "x-api-key": config.apiKey, "content-type": "application/json" },
				body: JSON.stringify({
					topic: `${config.topicPrefix}${playerId}`,
					message: invalidationMessage(playerId, version),
				}),
				signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
			});
			await response.arrayBuffer();
			if (response.ok) return { ok: true };
			const retry = response.status === 429 ? retryAfterMs(response.headers.get("retry-after")) : undefined;
			return { ok: false, reason: `http_${response.status}`, ...(retry === undefined ? {} : { retryAfterMs: retry }) };
		} catch (error) {
			return { ok: false, reason: (error as Error).name === "TimeoutError" ? "timeout" : "network" };
		}
	};
}
