import type { FastifyInstance } from "fastify";

import { sendError } from "./http.js";

/**
 * While the app closes, requests still arriving on open connections (keep-alive, pipelined) are
 * refused with 503 `shutting_down` in the API's error format, before authentication or any work,
 * and with `Connection: close` so the client reconnects to another instance. Requests already
 * running finish. (Fastify's own closing answer has a body of its own.)
 */
export function refuseWhileClosing(app: FastifyInstance): void {
	let closing = false;
	app.addHook("preClose", (done) => {
		closing = true;
		done();
	});
	app.addHook("onRequest", (_request, reply, done) => {
		if (!closing) {
			done();
			return;
		}
		reply.header("connection", "close").header("retry-after", "1");
		void sendError(reply, "shutting_down");
	});
}
