/** A validated operation of a transaction (see `opSchema`). */
export type Op =
	| { op: "currency.add"; currency: string; amount: number }
	| { op: "item.grant"; item: { id: string; def: string; count: number; attrs: Record<string, unknown> } }
	| { op: "item.remove"; id: string; count?: number }
	| { op: "item.update"; id: string; attrs: Record<string, unknown> }
	| { op: "doc.set"; name: string; value: Record<string, unknown> }
	| { op: "progress.advance"; name: string; to: number };

export type OpKind = Op["op"];

/** A validated transaction body. */
export interface TransactionBody {
	ops: Op[];
	reason?: string;
}

/** A validated transfer body. */
export interface TransferBody {
	legs: TransferLeg[];
	reason?: string;
}

export interface TransferLeg {
	from: number;
	to: number;
	items?: { id: string; count?: number; newId?: string }[];
	currencies?: Record<string, number>;
}

/** A validated transfer void body. */
export interface TransferVoidBody {
	idempotencyKey: string;
	players: number[];
}
