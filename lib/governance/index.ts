// Governance domain (pure): parameter validation and diff, settings, impact tier, proposal state
// machine, tally, EIP-712 votes, voting power, risk steward and volatility recommendations.
// No I/O: services in server/ load and store, then call these functions.
export * from "./params";
export * from "./settings";
export * from "./tier";
export * from "./state-machine";
export * from "./tally";
export * from "./vote-signature";
export * from "./voting-power";
export * from "./steward";
export * from "./recommendations";
