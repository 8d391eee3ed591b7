import { RunService } from "@rbxts/services";

// Whether `virtualSeconds` passed without waiting them in real time. Real waiting takes all of
// them; stepping their frames takes far under a tenth even on a loaded machine, so the bound tells
// the two apart without timing the simulator.
function tookNoRealWait(wallStart: number, virtualSeconds: number): boolean {
	return sim.wallClock() - wallStart < virtualSeconds / 10;
}

export = () => {
	describe("the virtual clock", () => {
		it("waits 1,800 virtual seconds without waiting them in wall time", () => {
			const wallStart = sim.wallClock();
			const virtualStart = os.clock();
			const waited = task.wait(1800);
			expect(waited >= 1800).to.equal(true);
			// os.clock is offset from the scheduler's time, so the two differ by rounding only.
			expect(os.clock() - virtualStart).to.be.near(waited, 1e-6);
			expect(tookNoRealWait(wallStart, 1800)).to.equal(true);
		});

		it("moves os.time, tick and DateTime together with task.wait", () => {
			const unixBefore = os.time();
			const tickBefore = tick();
			const millisBefore = DateTime.now().UnixTimestampMillis;
			task.wait(90);
			expect(os.time() - unixBefore >= 90).to.equal(true);
			expect(os.time() - unixBefore <= 91).to.equal(true);
			expect(math.floor(tick() - tickBefore)).to.equal(90);
			expect(DateTime.now().UnixTimestampMillis - millisBefore >= 90_000).to.equal(true);
		});

		it("resolves Promise.delay on virtual time", () => {
			const start = os.clock();
			const wallStart = sim.wallClock();
			const [ok, value] = Promise.delay(600)
				.andThen(() => "late")
				.await();
			expect(ok).to.equal(true);
			expect(value).to.equal("late");
			expect(os.clock() - start >= 600).to.equal(true);
			expect(tookNoRealWait(wallStart, 600)).to.equal(true);
		});

		it("skews a server's clock by the index its settings name, also as a string key (JSON settings)", () => {
			// HOPSAFE_SIM_SETTINGS is JSON, whose object keys are strings: { "clockSkew": { "2": 45 } }.
			const world = sim.World.new({ seed: 920001, settings: { clockSkew: { "2": 45, [3]: -30 } } });
			const servers = [world.startServer(), world.startServer(), world.startServer()];
			const [first, second, third] = servers.map((server) => server.run(() => tick()));
			expect(math.floor(second - first + 0.5)).to.equal(45);
			expect(math.floor(third - first + 0.5)).to.equal(-30);
		});

		it("fires Heartbeat every frame with the frame's delta", () => {
			let frames = 0;
			let total = 0;
			const connection = RunService.Heartbeat.Connect((dt) => {
				frames += 1;
				total += dt;
			});
			task.wait(1);
			connection.Disconnect();
			expect(frames >= 59 && frames <= 61).to.equal(true);
			expect(math.abs(total - frames / 60) < 1e-6).to.equal(true);
		});
	});

	describe("thread ordering", () => {
		it("wakes threads due at the same virtual time in the order they were scheduled", () => {
			const order: Array<string> = [];
			task.delay(2, () => order.push("first"));
			task.delay(2, () => order.push("second"));
			task.spawn(() => {
				task.wait(2);
				order.push("third");
			});
			task.delay(1, () => order.push("earlier deadline"));
			task.wait(3);
			expect(order.join(",")).to.equal("earlier deadline,first,second,third");
		});

		it("runs spawn at once and defer at the end of the resumption cycle", () => {
			const order: Array<string> = [];
			task.defer(() => order.push("deferred"));
			task.spawn(() => order.push("spawned"));
			order.push("caller");
			task.wait();
			expect(order.join(",")).to.equal("spawned,caller,deferred");
		});

		it("resumes wait(0) on the next frame, not the same one", () => {
			let frames = 0;
			const connection = RunService.Heartbeat.Connect(() => {
				frames += 1;
			});
			task.wait();
			task.wait();
			connection.Disconnect();
			expect(frames).to.equal(2);
		});

		it("cancels a delayed thread before it runs", () => {
			let ran = false;
			const thread = task.delay(1, () => {
				ran = true;
			});
			task.cancel(thread);
			task.wait(2);
			expect(ran).to.equal(false);
		});
	});
};
