import { Metric } from "effect"

/**
 * Notification send attempts by channel (`push`, `sms`) and result: `sent`, `retry` (a
 * retryable failure, due again later), `dropped` (nobody to send to: no device, no phone)
 * and `dead` (retries spent or a failure that retrying cannot mend). A rising `dead` or
 * `retry` is a provider in trouble; the backlog gauges say how much waits.
 */
export const notificationAttempts = Metric.counter("qc_notification_attempts", {
  description: "Notification send attempts by channel and result",
  incremental: true
})

export const attemptResult = (status: "sent" | "pending" | "dropped" | "dead") => (status === "pending" ? "retry" : status)
