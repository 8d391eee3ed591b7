import type { SyncMessage } from "../../../../src";

/** Every sync message `client` received, in order (the batches flattened). */
export function syncMessages(client: Sim.Client, sync: RemoteEvent): Array<SyncMessage> {
	const messages = new Array<SyncMessage>();
	for (const call of client.received(sync)) {
		const batch = call[0] as Array<SyncMessage>;
		for (const message of batch) messages.push(message);
	}
	return messages;
}

/** The reason the server gave for request `id`, or "accepted" when a delta carried it, or undefined. */
export function answerTo(messages: ReadonlyArray<SyncMessage>, id: number): string | undefined {
	for (const message of messages) {
		if (message.k === "r" && message.req === id) return message.reason;
		if (message.k === "d" && message.req === id) return "accepted";
	}
	return undefined;
}
