import { MAX_SAFE_INTEGER } from "../integers";
import { MAX_CAPACITY } from "../state/createInventory";

/** Request ids are integers in 1..MAX_REQUEST_ID; the client module counts up from 1. */
export const MAX_REQUEST_ID = 2147483647;

/** The longest item id, equip slot name or drop token a request may carry. */
export const MAX_NAME_LENGTH = 64;

/** The highest slot index any inventory can have. */
export const MAX_SLOT = MAX_CAPACITY - 1;

/** The largest count a request may carry. */
export const MAX_COUNT = MAX_SAFE_INTEGER;
