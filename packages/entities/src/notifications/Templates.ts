import type { Language, NotificationFacts, NotificationKind } from "@qc/domain/notifications/Notification"

/** A notification as the customer reads it. */
export interface Rendered {
  readonly title: string
  readonly body: string
}

/** `ord_pune-west_k3j…9x2b` → `#9X2B…`: the last six characters, as support reads them out. */
/** The sign-in code SMS (sent by sign-in directly, not through the queue). */
export const otpText = (code: string, language: Language): string =>
  language === "hi"
    ? `${code} आपका साइन-इन कोड है। यह 5 मिनट तक मान्य है। इसे किसी के साथ साझा न करें।`
    : `${code} is your sign-in code. It is valid for 5 minutes. Do not share it with anyone.`

export const shortOrderId = (orderId: string): string => `#${orderId.slice(-6).toUpperCase()}`

/** Integer paise as rupees with Indian digit grouping: `12345678` → `₹1,23,456.78`. */
export const rupees = (paise: number): string => {
  const whole = String(Math.floor(paise / 100))
  const head = whole.slice(0, -3)
  const grouped = head === "" ? whole : `${head.replace(/\B(?=(\d{2})+$)/g, ",")},${whole.slice(-3)}`
  return `₹${grouped}.${String(paise % 100).padStart(2, "0")}`
}

/** Epoch ms as the wall-clock time in India (UTC+05:30, no daylight saving): `14:05`. */
export const istTime = (epochMs: number): string => {
  const ist = new Date(epochMs + 330 * 60_000)
  return `${String(ist.getUTCHours()).padStart(2, "0")}:${String(ist.getUTCMinutes()).padStart(2, "0")}`
}

type Facts<K extends NotificationKind> = Extract<NotificationFacts, { readonly kind: K }>

/** One kind: whether it matters enough to fall back to SMS, and its text in each language. */
export interface KindSpec<K extends NotificationKind> {
  /** Push first; when no device takes it, by SMS too. OTPs never come through here. */
  readonly important: boolean
  readonly text: { readonly [L in Language]: (facts: Facts<K>) => Rendered }
}

const failedReason = (reason: string, language: Language): string => {
  const payment = reason.startsWith("payment")
  if (language === "hi") return payment ? "भुगतान पूरा नहीं हुआ।" : "कुछ सामान उपलब्ध नहीं था।"
  return payment ? "The payment did not go through." : "Some items were not available."
}

/**
 * Every kind of customer notification. A new area (UPI Autopay `mandate.*`) adds its kinds here
 * and to `NotificationFacts`; the queue and the delivery rules need no change.
 */
export const notificationKinds: { readonly [K in NotificationKind]: KindSpec<K> } = {
  "order.confirmed": {
    important: true,
    text: {
      en: (f) => ({ title: "Order confirmed", body: `Your order ${shortOrderId(f.orderId)} of ${rupees(f.total)} is confirmed. We are packing it now.` }),
      hi: (f) => ({ title: "ऑर्डर कन्फ़र्म हुआ", body: `आपका ऑर्डर ${shortOrderId(f.orderId)} (${rupees(f.total)}) कन्फ़र्म हो गया है। हम इसे अभी पैक कर रहे हैं।` })
    }
  },
  "order.failed": {
    important: true,
    text: {
      en: (f) => ({
        title: "Order not placed",
        body: `Your order ${shortOrderId(f.orderId)} could not be completed. ${failedReason(f.reason, "en")} Any amount debited will be refunded.`
      }),
      hi: (f) => ({
        title: "ऑर्डर पूरा नहीं हो सका",
        body: `आपका ऑर्डर ${shortOrderId(f.orderId)} पूरा नहीं हो सका। ${failedReason(f.reason, "hi")} कटी हुई राशि वापस कर दी जाएगी।`
      })
    }
  },
  "order.cancelled": {
    important: false,
    text: {
      en: (f) => ({ title: "Order cancelled", body: `Your order ${shortOrderId(f.orderId)} has been cancelled.` }),
      hi: (f) => ({ title: "ऑर्डर रद्द हुआ", body: `आपका ऑर्डर ${shortOrderId(f.orderId)} रद्द कर दिया गया है।` })
    }
  },
  "order.packed": {
    important: false,
    text: {
      en: (f) => ({
        title: "Order packed",
        body: f.shortUnits > 0
          ? `Your order ${shortOrderId(f.orderId)} is packed. ${f.shortUnits} item${f.shortUnits === 1 ? " was" : "s were"} out of stock; ${rupees(f.shortRefund)} will be refunded.`
          : `Your order ${shortOrderId(f.orderId)} is packed and waiting for a rider.`
      }),
      hi: (f) => ({
        title: "ऑर्डर पैक हो गया",
        body: f.shortUnits > 0
          ? `आपका ऑर्डर ${shortOrderId(f.orderId)} पैक हो गया है। ${f.shortUnits} सामान स्टॉक में नहीं था; ${rupees(f.shortRefund)} वापस किए जाएंगे।`
          : `आपका ऑर्डर ${shortOrderId(f.orderId)} पैक हो गया है और राइडर का इंतज़ार कर रहा है।`
      })
    }
  },
  "order.rider_assigned": {
    important: false,
    text: {
      en: (f) => ({
        title: `${f.riderFirstName} is on the way`,
        body: `${f.riderFirstName} will bring your order ${shortOrderId(f.orderId)}, arriving around ${istTime(f.etaAt)} IST.`
      }),
      hi: (f) => ({
        title: `${f.riderFirstName} आ रहे हैं`,
        body: `${f.riderFirstName} आपका ऑर्डर ${shortOrderId(f.orderId)} लेकर लगभग ${istTime(f.etaAt)} बजे (IST) पहुँचेंगे।`
      })
    }
  },
  "order.dispatched": {
    important: true,
    text: {
      en: (f) => ({ title: "Out for delivery", body: `Your order ${shortOrderId(f.orderId)} is out for delivery.` }),
      hi: (f) => ({ title: "डिलीवरी के लिए निकला", body: `आपका ऑर्डर ${shortOrderId(f.orderId)} डिलीवरी के लिए निकल चुका है।` })
    }
  },
  "order.delivered": {
    important: false,
    text: {
      en: (f) => ({ title: "Delivered", body: `Your order ${shortOrderId(f.orderId)} was delivered. You paid ${rupees(f.paid)}. Enjoy!` }),
      hi: (f) => ({ title: "डिलीवर हो गया", body: `आपका ऑर्डर ${shortOrderId(f.orderId)} डिलीवर हो गया। आपने ${rupees(f.paid)} चुकाए।` })
    }
  },
  "order.undeliverable": {
    important: false,
    text: {
      en: (f) => ({ title: "Delivery not possible", body: `We could not deliver your order ${shortOrderId(f.orderId)}. The full amount will be refunded.` }),
      hi: (f) => ({ title: "डिलीवरी नहीं हो सकी", body: `हम आपका ऑर्डर ${shortOrderId(f.orderId)} डिलीवर नहीं कर सके। पूरी राशि वापस की जाएगी।` })
    }
  },
  "order.delayed": {
    important: false,
    text: {
      en: (f) => ({ title: "Running a little late", body: `Your order ${shortOrderId(f.orderId)} is taking longer than usual to pack. We are on it and will update you.` }),
      hi: (f) => ({ title: "थोड़ी देरी हो रही है", body: `आपका ऑर्डर ${shortOrderId(f.orderId)} पैक होने में सामान्य से ज़्यादा समय ले रहा है। हम इस पर काम कर रहे हैं।` })
    }
  },
  "payment.refunded": {
    important: true,
    text: {
      en: (f) => ({ title: "Refund started", body: `${rupees(f.amount)} for order ${shortOrderId(f.orderId)} is being refunded to your original payment method.` }),
      hi: (f) => ({ title: "रिफ़ंड शुरू हुआ", body: `ऑर्डर ${shortOrderId(f.orderId)} के ${rupees(f.amount)} आपके मूल भुगतान माध्यम में वापस भेजे जा रहे हैं।` })
    }
  },
  "loyalty.accrued": {
    important: false,
    text: {
      en: (f) => ({ title: "Points earned", body: `You earned ${f.points} loyalty point${f.points === 1 ? "" : "s"} on order ${shortOrderId(f.orderId)}.` }),
      hi: (f) => ({ title: "पॉइंट मिले", body: `ऑर्डर ${shortOrderId(f.orderId)} पर आपको ${f.points} लॉयल्टी पॉइंट मिले।` })
    }
  }
}

const specOf = <K extends NotificationKind>(kind: K): KindSpec<K> => notificationKinds[kind]

/** The notification in the customer's language. */
export const render = (facts: NotificationFacts, language: Language): Rendered =>
  (specOf(facts.kind).text[language] as (f: NotificationFacts) => Rendered)(facts)

export const isImportant = (kind: NotificationKind): boolean => specOf(kind).important
