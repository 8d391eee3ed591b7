import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, transact } from "./support/http.js";
import { ledgerMismatches } from "./support/invariants.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

test("credits and debits move a balance and report it", async () => {
	const credit = await transact(t.base, 20, { ops: [coins(400)] });
	assert.equal(credit.status, 201);
	assert.deepEqual(credit.body.results, [{ op: "currency.add", currency: "coins", balance: 400 }]);
	const debit = await transact(t.base, 20, { ops: [coins(-150)] });
	assert.equal(debit.body.results[0].balance, 250);
	assert.equal(debit.body.version, 2);
	assert.deepEqual((await getPlayer(t.base, 20)).body.currencies, { coins: 250 });
});

test("a debit below zero is 409 insufficient_funds and the whole transaction rolls back", async () => {
	await transact(t.base, 21, { ops: [coins(100)] });
	const reply = await transact(t.base, 21, { ops: [coins(50, "gems"), coins(-101)] });
	assert.equal(reply.status, 409);
	assert.equal(reply.body.error.code, "insufficient_funds");
	assert.equal(reply.body.error.details.opIndex, 1);
	assert.equal(reply.body.error.details.balance, 100);
	const state = await getPlayer(t.base, 21);
	assert.deepEqual(state.body.currencies, { coins: 100 }, "the gems credit rolled back too");
	assert.equal(state.body.version, 1);
});

test("a debit of a currency never held is refused", async () => {
	const reply = await transact(t.base, 22, { ops: [coins(-1, "tickets")] });
	assert.equal(reply.status, 409);
	assert.equal(reply.body.error.code, "insufficient_funds");
	assert.equal((await getPlayer(t.base, 22)).body.version, 0);
});

test("a credit past 2^53 - 1 is 409 limit_exceeded", async () => {
	await transact(t.base, 23, { ops: [coins(Number.MAX_SAFE_INTEGER)] });
	const reply = await transact(t.base, 23, { ops: [coins(1)] });
	assert.equal(reply.status, 409);
	assert.equal(reply.body.error.code, "limit_exceeded");
	assert.equal((await getPlayer(t.base, 23)).body.currencies.coins, Number.MAX_SAFE_INTEGER);
});

test("50 concurrent spends that together overdraw leave exactly the right number succeeding", async () => {
	await transact(t.base, 24, { ops: [coins(100)] });
	const replies = await Promise.all(Array.from({ length: 50 }, () => transact(t.base, 24, { ops: [coins(-30)] })));
	const ok = replies.filter((reply) => reply.status === 201);
	const refused = replies.filter((reply) => reply.status === 409);
	assert.equal(ok.length, 3);
	assert.equal(refused.length, 47);
	assert.ok(refused.every((reply) => reply.body.error.code === "insufficient_funds"));
	assert.ok(ok.every((reply) => reply.body.results[0].balance >= 0));
	const state = await getPlayer(t.base, 24);
	assert.equal(state.body.currencies.coins, 10);
	assert.equal(state.body.version, 4);
	assert.deepEqual(await ledgerMismatches(t.db), []);
});

test("the CHECK constraint is the backstop: a negative balance cannot be stored directly", async () => {
	await transact(t.base, 25, { ops: [coins(5)] });
	await assert.rejects(
		t.db.query("UPDATE balances SET amount = -1 WHERE player_id = 25"),
		(error: { code?: string }) => error.code === "23514",
	);
});

test("every balance equals the sum of its ledger", async () => {
	assert.deepEqual(await ledgerMismatches(t.db), []);
	const rows = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM ledger");
	assert.ok(rows[0]!.n > 0);
});
