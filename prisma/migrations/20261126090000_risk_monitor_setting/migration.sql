-- Risk monitor thresholds of one market changed from the UI (lib/alerts risk-monitors.ts
-- riskMonitorThresholdsSchema, stored fully parsed). Markets whose thresholds the config file sets
-- (markets.<M>.riskMonitors) are never written here; markets with no row use the defaults.
CREATE TABLE "RiskMonitorSetting" (
    "market" TEXT NOT NULL,
    "thresholds" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "RiskMonitorSetting_pkey" PRIMARY KEY ("market")
);
