import { describeThrown, formatError, isErrorKind, isHopsafeError, makeError } from "../../../src/core/errors";

export = () => {
	describe("hopsafe errors", () => {
		it("carries the details of its kind", () => {
			const failure = makeError("SessionLocked", "held elsewhere", { key: "player_7", holderJobId: "abc" });
			expect(failure.kind).to.equal("SessionLocked");
			expect(failure.details.key).to.equal("player_7");
			expect(failure.details.holderJobId).to.equal("abc");
		});

		it("is frozen so a handler cannot rewrite it", () => {
			const failure = makeError("Timeout", "slow", { operation: "load", seconds: 5 });
			const [ok] = pcall(() => {
				(failure as unknown as { message: string }).message = "changed";
			});
			expect(ok).to.equal(false);
			expect(failure.message).to.equal("slow");
		});

		it("recognises its own errors and rejects look-alikes", () => {
			expect(isHopsafeError(makeError("Closed", "bye", { reason: "shutdown" }))).to.equal(true);
			expect(isHopsafeError({ kind: "NotAKind", message: "x" })).to.equal(false);
			expect(isHopsafeError({ kind: "Closed" })).to.equal(false);
			expect(isHopsafeError("Closed: bye")).to.equal(false);
			expect(isErrorKind(makeError("Closed", "bye", { reason: "x" }), "Timeout")).to.equal(false);
		});

		it("formats errors and anything thrown as one readable line", () => {
			const failure = makeError("CorruptedData", "not a table", { reason: "number" });
			expect(formatError(failure)).to.equal("CorruptedData: not a table");
			expect(describeThrown(failure)).to.equal("CorruptedData: not a table");
			const [, thrown] = pcall((): void => {
				error("plain", 0);
			});
			expect(describeThrown(thrown)).to.equal("plain");
		});
	});
};
