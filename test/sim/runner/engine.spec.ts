import { ReplicatedStorage, Workspace } from "@rbxts/services";

export = () => {
	describe("the emulated engine", () => {
		it("keys a Map by Instances", () => {
			const folder = new Instance("Folder");
			folder.Name = "MapKey";
			folder.Parent = Workspace;
			const byInstance = new Map<Instance, number>();
			byInstance.set(folder, 7);
			byInstance.set(ReplicatedStorage, 9);
			expect(byInstance.get(Workspace.FindFirstChild("MapKey")!)).to.equal(7);
			expect(byInstance.get(game.GetService("ReplicatedStorage"))).to.equal(9);
			folder.Destroy();
		});

		it("waits for a child that appears later and times out on one that never does", () => {
			const parent = new Instance("Folder");
			parent.Parent = Workspace;
			task.delay(2, () => {
				const child = new Instance("Folder");
				child.Name = "Late";
				child.Parent = parent;
			});
			const start = os.clock();
			const late = parent.WaitForChild("Late");
			expect(late.Name).to.equal("Late");
			expect(os.clock() - start >= 2).to.equal(true);
			expect(parent.WaitForChild("Never", 3)).to.equal(undefined);
			parent.Destroy();
		});

		it("requires each module once per server and shares the result", () => {
			const include = ReplicatedStorage.WaitForChild("rbxts_include");
			const first = require(include.WaitForChild("Promise") as ModuleScript);
			const second = require(include.WaitForChild("Promise") as ModuleScript);
			expect(first).to.equal(second);
		});

		it("gives each simulated server its own module cache and JobId", () => {
			const world = sim.World.new({ seed: 4 });
			const a = world.startServer();
			const b = world.startServer();
			expect(a.jobId).never.to.equal(b.jobId);
			const promiseA = a.require<object>("ReplicatedStorage.rbxts_include.Promise");
			const promiseB = b.require<object>("ReplicatedStorage.rbxts_include.Promise");
			expect(promiseA).never.to.equal(promiseB);
			expect(a.run(() => game.JobId)).to.equal(a.jobId);
		});
	});
};
