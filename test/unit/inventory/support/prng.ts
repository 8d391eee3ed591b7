// A tiny deterministic generator (xorshift32) for randomized specs: the same seed gives the
// same sequence on every machine, independent of math.random and of what else ran before.
export class Prng {
	private state: number;

	public constructor(seed: number) {
		const state = bit32.bor(seed % 4294967296, 0);
		this.state = state === 0 ? 0x9e3779b9 : state;
	}

	/** The next 32-bit unsigned integer. */
	public nextUint(): number {
		let x = this.state;
		x = bit32.bxor(x, bit32.lshift(x, 13));
		x = bit32.bxor(x, bit32.rshift(x, 17));
		x = bit32.bxor(x, bit32.lshift(x, 5));
		this.state = x;
		return x;
	}

	/** An integer in lo..hi, both included. */
	public int(lo: number, hi: number): number {
		return lo + (this.nextUint() % (hi - lo + 1));
	}

	/** True with probability `p`. */
	public chance(p: number): boolean {
		return this.nextUint() / 4294967296 < p;
	}

	/** One element of a non-empty array. */
	public pick<T extends defined>(items: ReadonlyArray<T>): T {
		return items[this.int(0, items.size() - 1)];
	}
}
