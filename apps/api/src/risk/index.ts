// The risk module's door: fraud scoring of transfers (docs/adr/0130) and the risk check's contract
// payments calls (docs/adr/0088). It imports no other domain module; app.ts hands its check to payments.

export type { CustomerReason, ReviewRecord, RiskCheck, RiskDecision, TransferCommand } from './contract.ts';
export { customerReasonText } from './customer-reasons.ts';
export { exportFraudLabels, type FraudLabel } from './labels.ts';
export type { ModelRefresh, ScoringModel } from './model.ts';
export { createRiskService, type DecisionView, type RiskService } from './service.ts';
