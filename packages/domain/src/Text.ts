import { Schema } from "effect"

/**
 * A NUL, or one half of a UTF-16 surrogate pair without the other: Postgres cannot store
 * either as UTF-8 text, so a write carrying one fails at commit (a fuzzer found both).
 */
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Whether Postgres can store `text` in a `text` column. */
export const isStorableText = (text: string): boolean => !unstorable.test(text)

/**
 * Text a client or a partner sent us: at most `maxLength` UTF-16 code units (the bound is
 * checked first, so nothing else runs over a huge value), at least `minLength` (default 1),
 * no NUL and no lone surrogate. The messages name the rule and never echo the value back.
 */
export const safeText = (maxLength: number, options?: { readonly minLength?: number }) => {
  const minLength = options?.minLength ?? 1
  return Schema.String.pipe(
    Schema.maxLength(maxLength, { message: () => `must be at most ${maxLength} characters` }),
    Schema.minLength(minLength, {
      message: () => (minLength === 1 ? "must not be empty" : `must be at least ${minLength} characters`)
    }),
    Schema.filter(isStorableText, {
      message: () => "must not contain NUL (U+0000) or unpaired surrogate characters",
      description: "text without NUL or unpaired surrogates"
    })
  )
}

/** Free text up to 1,000 characters, for fields with no tighter bound of their own. */
export const SafeText = safeText(1_000)

/**
 * A slug-like identifier (`pune-baner`, `sku-00042`): safe text that also starts with a
 * letter or digit and holds only letters, digits and `_ . : -`.
 */
export const identifier = (maxLength: number) =>
  safeText(maxLength).pipe(
    Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, {
      message: () => "must start with a letter or digit and hold only letters, digits and _ . : -"
    })
  )
