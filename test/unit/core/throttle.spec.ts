import { errorCode, isThrottleError } from "../../../src/core/throttle";

export = () => {
	describe("DataStore throttle errors", () => {
		it("recognises the engine's throttle errors, legacy codes and modern names", () => {
			expect(
				isThrottleError(
					"301: GetAsync request dropped. Request was throttled, but throttled request queue was full.",
				),
			).to.equal(true);
			expect(isThrottleError("304: UpdateAsync request dropped.")).to.equal(true);
			expect(
				isThrottleError("StandardReadGameServerThrottled: Request was throttled by game server limits"),
			).to.equal(true);
			expect(isThrottleError("StandardWriteExperienceThrottled: over the experience's limit")).to.equal(true);
			expect(isThrottleError("KeyThrottled: key over its throughput")).to.equal(true);
			expect(isThrottleError("DatastoreThrottled: The data store is overloaded. Try again later.")).to.equal(
				true,
			);
		});

		it("leaves other failures to the ordinary retries", () => {
			expect(
				isThrottleError("502: API Services rejected request with error. HTTP 500 (Internal Server Error)"),
			).to.equal(false);
			expect(isThrottleError("105: Serialized value exceeds 4MB limit.")).to.equal(false);
			expect(isThrottleError("InternalServerError: Internal server error.")).to.equal(false);
			expect(isThrottleError(undefined)).to.equal(false);
		});

		it("reads the numeric code an engine error starts with", () => {
			expect(errorCode("301: GetAsync request dropped.")).to.equal(301);
			expect(errorCode("KeyThrottled: key over its throughput")).to.equal(undefined);
		});
	});
};
