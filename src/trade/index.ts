// Trades: same-server negotiations and swaps, gifts and cross-server trades over the inventory
// service and the vault, exactly once through a ledger in each profile.
export { takeTradeCensus } from "./census/takeTradeCensus";
export type { CensusProfile, TradeCensus } from "./census/takeTradeCensus";
export { checkTradeLedger } from "./ledger/checkTradeLedger";
export { createTradeLedger } from "./ledger/createTradeLedger";
export { summarizeTerms } from "./ledger/summary";
export type { BundleTerms } from "./ledger/summary";
export type { Leg, Parcel, TradeDecision, TradeLedger } from "./ledger/types";
export type { Offer, OfferItem, Trade, TradePhase, TradeSide } from "./machine/types";
export { TRADE_REASONS } from "./reasons";
export type { TradeEndReason, TradeProtocolReason, TradeRejectReason } from "./reasons";
export { bindTradeRemotes } from "./remotes/bindTradeRemotes";
export type { TradeIntentArgs, TradeIntentName, TradeRemotes, TradeRemotesOptions, TradeUpdate } from "./remotes/types";
export { createTradeService } from "./service/createTradeService";
export type {
	CrossServerSide,
	GiftRequest,
	GiveSpec,
	OfferClaim,
	TradeLimits,
	TradeProposal,
	TradeService,
	TradeServiceOptions,
	TradeStep,
	TransferOutcome,
} from "./service/types";
