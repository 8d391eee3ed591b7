import { err, mapResult, ok, tryCallback, unwrapOr } from "../../../src/core/result";

export = () => {
	describe("Result", () => {
		it("maps successes and passes failures through", () => {
			const doubled = mapResult(ok(21), (n) => n * 2);
			expect(doubled.ok && doubled.value).to.equal(42);
			const failed = mapResult(err("nope") as ReturnType<typeof err<string>>, (n: number) => n * 2);
			expect(failed.ok).to.equal(false);
			expect(unwrapOr(failed, -1)).to.equal(-1);
		});

		it("turns a throwing callback into a CallbackFailed error", () => {
			const outcome = tryCallback("onLoaded", () => {
				error("exploded");
			});
			expect(outcome.ok).to.equal(false);
			if (!outcome.ok) {
				expect(outcome.error.kind).to.equal("CallbackFailed");
				expect(outcome.error.details.callback).to.equal("onLoaded");
				expect(outcome.error.message.find("exploded")[0] !== undefined).to.equal(true);
			}
		});

		it("returns the callback's value when it does not throw", () => {
			const outcome = tryCallback("sum", () => 2 + 3);
			expect(outcome.ok && outcome.value).to.equal(5);
		});
	});
};
