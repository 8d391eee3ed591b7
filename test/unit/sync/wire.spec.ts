import { HttpService } from "@rbxts/services";
import { isTransfer } from "../../../src/sync/transfer";
import type { SyncTransferLeg } from "../../../src/sync/types";
import { encodeBatch, encodeOp, encodePull, encodeTransfer, integer, quote } from "../../../src/sync/wire";

const encode = (value: unknown) => HttpService.JSONEncode(value);

export = () => {
	describe("sync wire format", () => {
		it("writes empty attributes and documents as JSON objects, not arrays", () => {
			expect(
				encodeOp(encode, { op: "item.grant", item: { id: "1-7", def: "sword", count: 1, attrs: {} } }),
			).to.equal('{"op":"item.grant","item":{"id":"1-7","def":"sword","count":1,"attrs":{}}}');
			expect(encodeOp(encode, { op: "doc.set", name: "s", value: {} })).to.equal(
				'{"op":"doc.set","name":"s","value":{}}',
			);
			const decoded = HttpService.JSONDecode(
				encodeOp(encode, { op: "item.update", id: "1-7", attrs: { lvl: 2 } }),
			) as {
				attrs: { lvl: number };
			};
			expect(decoded.attrs.lvl).to.equal(2);
		});

		it("writes integers exactly, never in exponent form", () => {
			expect(integer(9007199254740991)).to.equal("9007199254740991");
			expect(integer(-500)).to.equal("-500");
			expect(encodeOp(encode, { op: "currency.add", currency: "coins", amount: 1e15 })).to.equal(
				'{"op":"currency.add","currency":"coins","amount":1000000000000000}',
			);
		});

		it("quotes strings as JSON", () => {
			expect(quote('a"b\\c')).to.equal('"a\\"b\\\\c"');
			expect(quote("line\n")).to.equal('"line\\u000a"');
		});

		it("builds batch and bulk pull bodies the API reads", () => {
			const body = encodeBatch(encode, [
				{
					userId: 1,
					key: "k-1",
					ops: [{ op: "currency.add", currency: "coins", amount: 5 }],
					reason: "quest:1",
				},
				{ userId: 2, key: "k-2", ifMatch: 4, ops: [{ op: "item.remove", id: "2-1", count: 2 }] },
			]);
			const decoded = HttpService.JSONDecode(body) as {
				requests: Array<{
					userId: number;
					idempotencyKey: string;
					ifMatch?: number;
					reason?: string;
					ops: Array<{ op: string }>;
				}>;
			};
			expect(decoded.requests.size()).to.equal(2);
			expect(decoded.requests[0].idempotencyKey).to.equal("k-1");
			expect(decoded.requests[0].reason).to.equal("quest:1");
			expect(decoded.requests[0].ifMatch).to.equal(undefined);
			expect(decoded.requests[1].ifMatch).to.equal(4);
			expect(decoded.requests[1].ops[0].op).to.equal("item.remove");
			expect(encodePull([{ userId: 3, since: 7 }])).to.equal('{"players":[{"userId":3,"since":7}]}');
		});

		it("writes a transfer body the API's schema accepts, currencies in a stable order", () => {
			const body = encodeTransfer(
				[
					{ from: 1, to: 2, items: [{ id: "a" }, { id: "b", count: 2, newId: "c" }] },
					{ from: 2, to: 1, currencies: { gems: 1, coins: 5 } },
				],
				"trade:1",
			);
			expect(body).to.equal(
				'{"legs":[{"from":1,"to":2,"items":[{"id":"a"},{"id":"b","count":2,"newId":"c"}]},' +
					'{"from":2,"to":1,"currencies":{"coins":5,"gems":1}}],"reason":"trade:1"}',
			);
			expect(encodeTransfer([{ from: 1, to: 2, currencies: { coins: 1 } }])).to.equal(
				'{"legs":[{"from":1,"to":2,"currencies":{"coins":1}}]}',
			);
		});

		it("refuses malformed transfers before anything is sent", () => {
			const good: SyncTransferLeg = { from: 1, to: 2, items: [{ id: "a" }] };
			expect(isTransfer([good])).to.equal(true);
			const bad: Array<Array<SyncTransferLeg>> = [
				[],
				[{ from: 1, to: 1, items: [{ id: "a" }] }],
				[{ from: 1, to: 2 }],
				[{ from: 1, to: 2, items: [] }],
				[{ from: 0, to: 2, items: [{ id: "a" }] }],
				[{ from: 1.5, to: 2, items: [{ id: "a" }] }],
				[{ from: 1, to: 2, items: [{ id: "a", count: 0 }] }],
				[{ from: 1, to: 2, items: [{ id: "a", count: 0.5 }] }],
				[{ from: 1, to: 2, items: [{ id: "-bad" }] }],
				[{ from: 1, to: 2, items: [{ id: "a", newId: "with space" }] }],
				[{ from: 1, to: 2, currencies: { coins: -5 } }],
				[{ from: 1, to: 2, currencies: { coins: 0 } }],
				[{ from: 1, to: 2, currencies: { coins: 0 / 0 } }],
			];
			const many = new Array<SyncTransferLeg>();
			for (let index = 0; index < 21; index++) many.push(good);
			bad.push(many);
			const items = new Array<{ id: string }>();
			for (let index = 0; index < 51; index++) items.push({ id: `i${index}` });
			bad.push([{ from: 1, to: 2, items }]);
			bad.forEach((legs, index) => {
				if (isTransfer(legs)) throw `case ${index} was accepted`;
			});
		});
	});
};
