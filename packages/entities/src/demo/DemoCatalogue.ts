/**
 * Deterministic demo catalogue: 12 Pune dark stores, ~4,200 Indian-grocery SKUs
 * and per-store batch stock. Pure: no I/O, no clock, no Math.random — the same
 * `seed` and `now` always give a deep-equal result.
 */

export type Category = "fresh_produce" | "dairy" | "packaged_food" | "household_cleaning" | "personal_care"

export interface DemoStore {
  id: string
  name: string
  locality: string
  pincodes: ReadonlyArray<string>
  lat: number
  lng: number
}

export interface DemoSku {
  id: string
  name: string
  aliases: ReadonlyArray<string>
  category: Category
  unit: string
  /** integer paise */
  basePrice: number
  brand: string
}

export interface DemoBatch {
  lot: string
  qty: number
  /** epoch millis */
  bestBefore: number
}

export interface DemoStock {
  storeId: string
  skuId: string
  /** sorted by bestBefore, earliest first (FEFO) */
  batches: ReadonlyArray<DemoBatch>
  reorderThreshold: number
}

export interface DemoCatalogue {
  stores: ReadonlyArray<DemoStore>
  skus: ReadonlyArray<DemoSku>
  stock: ReadonlyArray<DemoStock>
}

export const DEMO_DEFAULT_SEED = 20261121
export const DEMO_DEFAULT_SKU_COUNT = 4200

// ---------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------

const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Integer in [lo, hi], both inclusive. */
const randInt = (rng: () => number, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1))

const shuffle = <A>(rng: () => number, xs: Array<A>): Array<A> => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = xs[i]!
    xs[i] = xs[j]!
    xs[j] = t
  }
  return xs
}

/** FNV-1a, for per-brand price levels (and other demo values) that do not depend on the seed. */
export const hash = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

// ---------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------

/**
 * Order matters: for a pincode served by several stores, the first store in this
 * list is its primary. Overlaps: 411045, 411021, 411057 (three stores), 411033,
 * 411014, 411036, 411006, 411047.
 */
interface StoreSeed extends DemoStore {
  /** three-letter code used in lot ids */
  readonly short: string
}

const store = (short: string, slug: string, locality: string, pincodes: ReadonlyArray<string>, lat: number, lng: number): StoreSeed => ({
  short,
  id: `pune-${slug}`,
  name: `${locality} Dark Store`,
  locality,
  pincodes,
  lat,
  lng
})

const STORES: ReadonlyArray<StoreSeed> = [
  store("BNR", "baner", "Baner", ["411045", "411021"], 18.559, 73.7868),
  store("AUN", "aundh", "Aundh", ["411007", "411045", "411003"], 18.558, 73.8077),
  store("KTD", "kothrud", "Kothrud", ["411038", "411052", "411058", "411021"], 18.5074, 73.8077),
  store("WKD", "wakad", "Wakad", ["411057", "411017"], 18.5987, 73.765),
  store("CCW", "chinchwad", "Chinchwad", ["411033", "411019", "411018"], 18.6298, 73.7997),
  store("HJW", "hinjewadi", "Hinjewadi", ["411057", "411033"], 18.5913, 73.7389),
  store("PSD", "pimple-saudagar", "Pimple Saudagar", ["411027", "411061", "411057"], 18.5994, 73.799),
  store("VMN", "viman-nagar", "Viman Nagar", ["411014", "411006", "411047"], 18.5679, 73.9143),
  store("KRD", "kharadi", "Kharadi", ["411014", "411036"], 18.5515, 73.9348),
  store("KGP", "koregaon-park", "Koregaon Park", ["411001", "411036", "411006"], 18.5362, 73.894),
  store("HDP", "hadapsar", "Hadapsar", ["411028", "411013", "411060"], 18.5089, 73.9259),
  store("WGL", "wagholi", "Wagholi", ["412207", "411047"], 18.5808, 73.9787)
]

/** pincode → store ids serving it, primary first (store list order). */
export const storesByPincode = (stores: ReadonlyArray<DemoStore>): ReadonlyMap<string, ReadonlyArray<string>> => {
  const out = new Map<string, Array<string>>()
  for (const store of stores) {
    for (const pin of store.pincodes) {
      const ids = out.get(pin)
      if (ids) ids.push(store.id)
      else out.set(pin, [store.id])
    }
  }
  return out
}

// ---------------------------------------------------------------------------
// Product tables
// ---------------------------------------------------------------------------
//
// p(base, aliases, brands, packs, variants?)
//   aliases:  comma-separated, lower-case Hindi/Hinglish/Marathi + English words
//   brands:   "Brand" | "Brand|Line" (name shows "Brand Line") | "Label@Brand" (name shows "Label")
//   packs:    "unit=rupees; unit=rupees" — reference price of the pack
//   variants: "Label" or "Label|extra, aliases"; "" means the plain product
// Name = label + variant + base + unit, e.g. "Amul Taaza Toned Milk 500 ml".

interface Product {
  readonly base: string
  readonly aliases: ReadonlyArray<string>
  readonly brands: ReadonlyArray<string>
  readonly packs: ReadonlyArray<readonly [string, number]>
  readonly variants: ReadonlyArray<string>
}

const list = (s: string): Array<string> => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0)

const p = (base: string, aliases: string, brands: ReadonlyArray<string>, packs: string, variants: ReadonlyArray<string> = [""]): Product => ({
  base,
  aliases: list(aliases),
  brands,
  packs: packs.split(";").map((x) => {
    const [unit, rupees] = x.split("=")
    return [unit!.trim(), Number(rupees)] as const
  }),
  variants
})

const F = ["Fresh@Farm Fresh", "Organic@Pro Nature"]
const FH = [...F, "Hydroponic@UrbanKisan"]
const FF = [...F, "Premium@Farm Select"]

const FRESH: ReadonlyArray<Product> = [
  p("Potato", "aloo, alu, batata, potato", F, "500 g=22; 1 kg=40; 2 kg=76", ["", "Baby", "New"]),
  p("Onion", "pyaz, pyaaz, kanda, onion", F, "500 g=20; 1 kg=38; 2 kg=72", ["", "Red", "White", "Sambar|chhota pyaz"]),
  p("Tomato", "tamatar, tameta, tomato", FH, "250 g=12; 500 g=20; 1 kg=36", ["", "Hybrid", "Desi", "Cherry"]),
  p("Coriander Leaves", "dhaniya, dhania, kothimbir, coriander", FH, "100 g=12; 250 g=25"),
  p("Ginger", "adrak, ale, ginger", F, "100 g=15; 250 g=32; 500 g=60"),
  p("Garlic", "lehsun, lahsun, lasun, garlic", F, "100 g=20; 250 g=45; 500 g=85", ["", "Peeled"]),
  p("Green Chilli", "mirchi, hari mirchi, chilli, chili", F, "100 g=12; 250 g=24", ["", "Long"]),
  p("Lady Finger", "bhindi, bhendi, okra, lady finger", F, "250 g=18; 500 g=34; 1 kg=64"),
  p("Cauliflower", "gobi, phool gobi, flower, cauliflower", F, "1 pc=35; 2 pcs=65"),
  p("Spinach", "palak, spinach", FH, "250 g=18; 500 g=32; 1 bunch=20"),
  p("Fenugreek Leaves", "methi, methi bhaji, fenugreek", FH, "1 bunch=18; 250 g=25"),
  p("Lemon", "nimbu, limbu, lemon", F, "4 pcs=20; 6 pcs=28; 250 g=30"),
  p("Banana", "kela, keli, banana", FF, "6 pcs=40; 12 pcs=72; 1 kg=60", ["Robusta", "Yelakki|elaichi kela", "Raw|kacha kela"]),
  p("Mango", "aam, amba, mango", FF, "1 kg=180; 6 pcs=450; 12 pcs=850", ["Alphonso|hapus, hapoos", "Kesar", "Totapuri", "Badami"]),
  p("Apple", "seb, saeb, safarchand, apple", FF, "4 pcs=120; 1 kg=200", ["Shimla", "Royal Gala", "Kinnaur", "Green", "Fuji"]),
  p("Cabbage", "patta gobi, band gobi, kobi, cabbage", F, "1 pc=30; 500 g=22", ["", "Red"]),
  p("Carrot", "gajar, carrot", F, "250 g=18; 500 g=34; 1 kg=62", ["", "Ooty", "Red"]),
  p("Cucumber", "kheera, kakdi, kakadi, cucumber", FH, "500 g=25; 1 kg=45", ["", "English"]),
  p("Capsicum", "shimla mirch, capsicum", FH, "250 g=30; 500 g=55", ["Green", "Red", "Yellow"]),
  p("Brinjal", "baingan, vangi, vange, brinjal", F, "250 g=18; 500 g=34", ["", "Bharta", "Green", "Long Purple"]),
  p("Bottle Gourd", "lauki, doodhi, dudhi, ghiya, bottle gourd", F, "1 pc=30; 500 g=22"),
  p("Bitter Gourd", "karela, karle, bitter gourd", F, "250 g=22; 500 g=40"),
  p("Ridge Gourd", "turai, turiya, dodka, ridge gourd", F, "250 g=20; 500 g=36"),
  p("Drumstick", "sahjan, shevga, shevgyachya shenga, moringa, drumstick", F, "250 g=30; 3 pcs=25"),
  p("Green Peas", "matar, hara matar, vatana, peas", F, "250 g=30; 500 g=55"),
  p("French Beans", "beans, farasbi, french beans", F, "250 g=25; 500 g=45"),
  p("Beetroot", "chukandar, beet, beetroot", F, "500 g=30; 1 kg=55"),
  p("Radish", "mooli, mula, radish", F, "500 g=20; 1 pc=12"),
  p("Sweet Potato", "shakarkandi, ratale, sweet potato", F, "500 g=30; 1 kg=55"),
  p("Curry Leaves", "kadi patta, kadipatta, kadhipatta, curry leaves", F, "50 g=10; 100 g=15"),
  p("Mint Leaves", "pudina, mint", FH, "1 bunch=15; 100 g=20"),
  p("Spring Onion", "hara pyaz, hari pyaz, kanda paat, spring onion", FH, "1 bunch=20; 250 g=30"),
  p("Pumpkin", "kaddu, bhopla, pumpkin", F, "500 g=25; 1 kg=45", ["", "Red"]),
  p("Cluster Beans", "gawar, guar, gavar, cluster beans", F, "250 g=22; 500 g=40"),
  p("Ivy Gourd", "tendli, tondli, kundru, ivy gourd", F, "250 g=22; 500 g=40"),
  p("Colocasia", "arbi, arvi, colocasia", F, "250 g=25; 500 g=45"),
  p("Raw Mango", "kairi, kachi kairi, kaccha aam, raw mango", F, "250 g=30; 500 g=55"),
  p("Dill Leaves", "shepu, suva, soya, dill", FH, "1 bunch=15; 250 g=30"),
  p("Amaranth Leaves", "chaulai, lal math, math, amaranth", FH, "1 bunch=15; 250 g=28", ["Red", "Green"]),
  p("Mushroom", "khumb, khumbi, mushroom", F, "200 g=45; 400 g=85", ["Button", "Oyster"]),
  p("Broccoli", "hari gobi, broccoli", FH, "250 g=60; 500 g=110"),
  p("Lettuce", "salad patta, lettuce", FH, "200 g=50; 400 g=95", ["Iceberg", "Romaine"]),
  p("Sweet Corn", "bhutta, makka, makai, sweet corn", F, "2 pcs=40; 500 g=60"),
  p("Papaya", "papita, papai, papaya", FF, "1 pc=60; 1 kg=55", ["", "Semi Ripe"]),
  p("Pomegranate", "anar, dalimb, pomegranate", FF, "500 g=90; 1 kg=170", ["", "Bhagwa"]),
  p("Guava", "amrood, amrud, peru, guava", FF, "500 g=45; 1 kg=85", ["", "Pink"]),
  p("Grapes", "angoor, angur, draksh, grapes", FF, "500 g=60; 1 kg=110", ["Green Seedless", "Black Seedless"]),
  p("Orange", "santra, santara, narangi, orange", FF, "1 kg=90; 6 pcs=80", ["Nagpur", "Kinnow"]),
  p("Watermelon", "tarbooz, tarbuj, kalingad, watermelon", FF, "1 pc=70; 2 pcs=130", ["", "Kiran"]),
  p("Muskmelon", "kharbooja, kharbuja, muskmelon", FF, "1 pc=60; 2 pcs=110"),
  p("Pineapple", "ananas, pineapple", FF, "1 pc=80; 2 pcs=150"),
  p("Sapota", "chikoo, chiku, sapota", FF, "500 g=45; 1 kg=85"),
  p("Sweet Lime", "mosambi, mosumbi, sweet lime", FF, "1 kg=80; 6 pcs=70"),
  p("Pear", "nashpati, naspati, pear", FF, "500 g=80; 1 kg=150", ["", "Green"]),
  p("Custard Apple", "sitaphal, sharifa, custard apple", FF, "500 g=70; 1 kg=130"),
  p("Kiwi", "kiwi", FF, "3 pcs=90; 6 pcs=170", ["", "Golden"]),
  p("Strawberry", "strawberry, mahabaleshwar strawberry", FF, "200 g=80; 400 g=150"),
  p("Coconut", "nariyal, naral, coconut", F, "1 pc=35; 2 pcs=65", ["", "Tender|nariyal pani, shahale"])
]

const MILK = ["Gowardhan", "Chitale", "Katraj", "Mother Dairy"]
const DAIRY: ReadonlyArray<Product> = [
  p("Toned Milk", "doodh, dudh, milk", ["Amul|Taaza", ...MILK, "Nandini"], "500 ml=28; 1 l=56"),
  p("Full Cream Milk", "doodh, dudh, full cream, milk", ["Amul|Gold", ...MILK, "Country Delight"], "500 ml=34; 1 l=68"),
  p("Cow Milk", "doodh, gaay ka doodh, milk", ["Amul", ...MILK, "Country Delight", "Akshayakalpa"], "500 ml=30; 1 l=58"),
  p("Buffalo Milk", "doodh, bhains ka doodh, milk", ["Chitale", "Katraj", "Country Delight"], "500 ml=38; 1 l=74"),
  p("Double Toned Milk", "doodh, dudh, low fat milk", ["Amul", "Mother Dairy", "Gowardhan"], "500 ml=25; 1 l=49"),
  p("Curd", "dahi, dahee, curd, yogurt", ["Amul|Masti", ...MILK, "Milky Mist", "Nestle|a+"], "200 g=22; 400 g=40; 1 kg=90", ["", "Low Fat"]),
  p("Paneer", "paneer, panir, cottage cheese", ["Amul", ...MILK, "Milky Mist"], "200 g=90; 500 g=210; 1 kg=400", ["", "Malai", "Low Fat"]),
  p("Ghee", "ghee, ghi, tup, clarified butter", ["Amul", "Gowardhan", "Chitale", "Katraj", "Nandini", "Patanjali"], "200 ml=150; 500 ml=340; 1 l=660", ["", "Cow"]),
  p("Butter", "makhan, makkhan, loni, butter", ["Amul", "Gowardhan", "Chitale", "Mother Dairy", "Britannia"], "100 g=58; 500 g=285", ["", "Unsalted", "Garlic"]),
  p("Processed Cheese Slices", "cheese", ["Amul", "Britannia", "Go", "Mother Dairy"], "100 g=75; 200 g=145; 750 g=480"),
  p("Cheese Cubes", "cheese", ["Amul", "Britannia", "Go"], "200 g=130; 400 g=250"),
  p("Mozzarella Cheese", "pizza cheese, cheese", ["Amul", "Go", "Milky Mist", "Gowardhan"], "200 g=120; 1 kg=520"),
  p("Cheese Spread", "cheese", ["Amul", "Britannia", "Go"], "180 g=95", ["Plain", "Pepper", "Garlic"]),
  p("Buttermilk", "chaas, chhach, taak, mattha, buttermilk", ["Amul|Masti", ...MILK], "200 ml=15; 500 ml=30; 1 l=55", ["", "Masala"]),
  p("Lassi", "lassi", ["Amul", "Gowardhan", "Chitale", "Mother Dairy", "Milky Mist"], "200 ml=25; 1 l=95", ["Sweet", "Mango", "Rose"]),
  p("Flavoured Milk", "doodh, milkshake, flavoured milk", ["Amul|Kool", "Nestle", "Mother Dairy", "Hershey's", "Gowardhan"], "180 ml=30; 200 ml=35", ["Kesar", "Badam", "Chocolate", "Strawberry", "Elaichi"]),
  p("Greek Yogurt", "dahi, yogurt", ["Epigamia", "Milky Mist", "Nestle|a+", "Amul"], "90 g=40; 400 g=150", ["Natural", "Blueberry", "Mango", "Strawberry"]),
  p("Fresh Cream", "malai, cream", ["Amul", "Gowardhan", "Mother Dairy", "Milky Mist"], "200 ml=70; 1 l=250"),
  p("Shrikhand", "shrikhand, amrakhand", ["Amul", "Chitale", "Gowardhan", "Katraj", "Warana"], "250 g=80; 500 g=150", ["Kesar", "Elaichi", "Mango"]),
  p("Khoa", "khoa, khova, mawa, khava", ["Chitale", "Katraj", "Gowardhan", "Amul"], "200 g=90; 500 g=210"),
  p("Eggs", "anda, ande, egg, eggs", ["Farm Fresh", "Eggoz", "Henfruit", "Kegg Farms", "Suguna"], "6 pcs=50; 12 pcs=95; 30 pcs=230", ["", "Brown"]),
  p("Ice Cream", "ice cream, kulfi", ["Amul", "Kwality Wall's", "Havmor", "Vadilal", "Baskin Robbins"], "500 ml=150; 1 l=280", ["Vanilla", "Chocolate", "Butterscotch", "Kesar Pista", "Mango"]),
  p("Probiotic Drink", "yakult, probiotic", ["Yakult", "Amul|Pro"], "5 x 65 ml=90")
]

const DAL = ["Tata Sampann", "Fortune", "24 Mantra Organic", "Golden Harvest", "Rajdhani", "Pro Nature"]
const GRAIN = ["Tata Sampann", "Fortune", "24 Mantra Organic", "Golden Harvest", "Rajdhani"]
const SPICE = ["Everest", "MDH", "Catch", "Badshah", "Tata Sampann", "Suhana", "Pravin"]
const PACKAGED: ReadonlyArray<Product> = [
  p("Atta", "atta, gehu ka atta, gehun, wheat flour", ["Aashirvaad|Shudh Chakki", "Pillsbury|Chakki Fresh", "Fortune|Chakki Fresh", "Annapurna", "Patanjali", "Tata Sampann", "24 Mantra Organic"], "1 kg=60; 5 kg=270; 10 kg=520", ["", "Multigrain"]),
  p("Basmati Rice", "chawal, basmati chawal, basmati, rice", ["India Gate", "Daawat", "Kohinoor", "Fortune", "Lal Qilla", "Tata Sampann"], "1 kg=140; 5 kg=650", ["", "Classic", "Rozana", "Mogra|tukda"]),
  p("Rice", "chawal, tandool, rice", ["Fortune", "Tata Sampann", "24 Mantra Organic", "Golden Harvest", "Pro Nature"], "1 kg=70; 5 kg=330", ["Sona Masoori", "Kolam", "Indrayani", "Ambemohar", "Brown", "Idli"]),
  p("Toor Dal", "toor dal, tur dal, arhar dal, tuvar dal, dal, daal", DAL, "500 g=85; 1 kg=165; 2 kg=320", ["", "Unpolished"]),
  p("Moong Dal", "moong dal, mung dal, dal, daal", DAL, "500 g=70; 1 kg=135; 2 kg=260", ["", "Unpolished"]),
  p("Chana Dal", "chana dal, harbhara dal, dal, daal", DAL, "500 g=50; 1 kg=95; 2 kg=185", ["", "Unpolished"]),
  p("Urad Dal", "urad dal, udad dal, dal, daal", DAL, "500 g=75; 1 kg=145; 2 kg=280", ["", "Unpolished"]),
  p("Masoor Dal", "masoor dal, dal, daal", DAL, "500 g=55; 1 kg=105; 2 kg=205", ["", "Unpolished"]),
  p("Rajma", "rajma, kidney beans", GRAIN, "500 g=85; 1 kg=165", ["", "Chitra", "Jammu"]),
  p("Kabuli Chana", "chole, chhole, kabuli chana, chickpeas", GRAIN, "500 g=75; 1 kg=145"),
  p("Kala Chana", "kala chana, harbhara, black chana", GRAIN, "500 g=45; 1 kg=85"),
  p("Green Moong", "sabut moong, moong, green gram", GRAIN, "500 g=65; 1 kg=125"),
  p("Matki", "matki, moth beans, math", GRAIN, "500 g=70; 1 kg=135"),
  p("Besan", "besan, gram flour, chana atta", ["Fortune", "Rajdhani", "Tata Sampann", "Aashirvaad", "Golden Harvest", "24 Mantra Organic"], "500 g=55; 1 kg=105"),
  p("Maida", "maida, refined flour, all purpose flour", ["Aashirvaad", "Pillsbury", "Fortune", "Rajdhani", "Golden Harvest"], "500 g=30; 1 kg=55"),
  p("Rava", "sooji, suji, rava, rawa, semolina", ["Aashirvaad", "Fortune", "Rajdhani", "Golden Harvest", "24 Mantra Organic"], "500 g=30; 1 kg=55", ["Sooji", "Bansi", "Idli"]),
  p("Poha", "poha, pohe, flattened rice, beaten rice, chivda", GRAIN, "500 g=35; 1 kg=65", ["Thick", "Thin", "Medium"]),
  p("Daliya", "daliya, dalia, broken wheat", ["Aashirvaad", "Tata Sampann", "Rajdhani", "24 Mantra Organic", "Bagrry's"], "500 g=40; 1 kg=75"),
  p("Sabudana", "sabudana, sago, sabu dana", ["Tata Sampann", "Golden Harvest", "Rajdhani", "24 Mantra Organic"], "500 g=50; 1 kg=95"),
  p("Sugar", "cheeni, chini, shakkar, sakhar, sugar", ["Madhur", "Uttam", "Trust", "Dhampure", "Parry's"], "1 kg=50; 5 kg=240", ["", "Sulphurless", "Brown"]),
  p("Jaggery", "gud, gur, gul, jaggery", ["Tata Sampann", "24 Mantra Organic", "Pro Nature", "Natureland", "Two Brothers"], "500 g=45; 1 kg=85", ["", "Powder", "Cubes"]),
  p("Salt", "namak, meeth, mith, salt", ["Tata", "Aashirvaad", "Catch", "Annapurna", "Saffola"], "500 g=15; 1 kg=28", ["Iodised", "Rock|sendha namak", "Black|kala namak", "Low Sodium"]),
  p("Tea", "chai, chai patti, chaha, chaha patti, tea", ["Tata Tea|Gold", "Tata Tea|Premium", "Tata Tea|Agni", "Red Label", "Taj Mahal", "Wagh Bakri", "Society", "Girnar"], "250 g=150; 500 g=290; 1 kg=560", ["", "Leaf", "Masala"]),
  p("Green Tea", "green chai, green tea", ["Lipton", "Tetley", "Organic India", "Twinings"], "25 bags=150; 100 bags=480", ["", "Lemon Honey", "Tulsi"]),
  p("Instant Coffee", "coffee, kaapi", ["Nescafe|Classic", "Nescafe|Sunrise", "Bru|Instant", "Bru|Gold", "Continental"], "50 g=160; 100 g=310; 200 g=600"),
  p("Filter Coffee", "coffee, kaapi, filter kaapi", ["Bru", "Narasu's", "Cothas", "Tata Coffee"], "200 g=160; 500 g=380"),
  p("Turmeric Powder", "haldi, halad, turmeric", SPICE, "100 g=35; 200 g=65; 500 g=150"),
  p("Red Chilli Powder", "lal mirchi, mirchi powder, mirchi, chilli powder", SPICE, "100 g=45; 200 g=85; 500 g=200", ["", "Kashmiri"]),
  p("Coriander Powder", "dhaniya powder, dhania powder, dhaniya", SPICE, "100 g=35; 200 g=65; 500 g=150"),
  p("Garam Masala", "garam masala, masala", SPICE, "50 g=45; 100 g=85"),
  p("Cumin Seeds", "jeera, jira, cumin", SPICE, "100 g=60; 200 g=115"),
  p("Cumin Powder", "jeera powder, jeera, cumin", SPICE, "100 g=70"),
  p("Mustard Seeds", "rai, mohri, sarson, mustard", SPICE, "100 g=25; 200 g=45"),
  p("Kasuri Methi", "kasuri methi, methi, fenugreek", ["Everest", "MDH", "Catch", "Tata Sampann"], "25 g=30; 100 g=95"),
  p("Methi Seeds", "methi dana, methi, fenugreek seeds", ["Tata Sampann", "Catch", "Everest", "Pro Nature"], "100 g=25; 200 g=45"),
  p("Black Pepper", "kali mirch, miri, pepper", SPICE, "50 g=75; 100 g=145"),
  p("Green Cardamom", "elaichi, velchi, cardamom", ["Catch", "Tata Sampann", "Everest", "Pro Nature"], "25 g=95; 50 g=180; 100 g=350"),
  p("Hing", "hing, heeng, asafoetida", ["Everest", "MDH", "LG", "Catch", "Vandevi"], "10 g=50; 50 g=200"),
  p("Ajwain", "ajwain, ova, carom seeds", ["Catch", "Tata Sampann", "Everest", "Pro Nature"], "100 g=40"),
  p("Fennel Seeds", "saunf, badishep, fennel", ["Catch", "Tata Sampann", "Everest", "Pro Nature"], "100 g=40; 200 g=75"),
  p("Masala", "masala, spice mix", SPICE, "100 g=70", ["Kitchen King", "Chole", "Pav Bhaji|pav bhaji", "Sambar", "Chicken", "Biryani", "Chaat", "Goda|goda masala, kala masala", "Misal|misal"]),
  p("Sunflower Oil", "tel, refined oil, sunflower tel, oil", ["Fortune", "Sundrop", "Freedom", "Gemini", "Saffola", "Dhara"], "1 l=160; 5 l=780"),
  p("Groundnut Oil", "shengdana tel, moongphali tel, groundnut oil, tel, oil", ["Fortune", "Dhara", "Gemini", "Tirupati", "Engine"], "1 l=190; 5 l=920"),
  p("Mustard Oil", "sarson ka tel, kachi ghani, tel, oil", ["Fortune|Kachi Ghani", "Dhara|Kachi Ghani", "Patanjali", "Engine", "P Mark"], "1 l=180; 5 l=850"),
  p("Rice Bran Oil", "tel, rice bran oil, oil", ["Fortune", "Saffola|Gold", "Gemini", "Emami"], "1 l=175; 5 l=840"),
  p("Olive Oil", "olive oil, jaitun tel", ["Figaro", "Borges", "Del Monte", "Oleev"], "500 ml=550; 1 l=1050", ["Extra Virgin", "Extra Light"]),
  p("Biscuits", "biscuit, biscut, biskut, biskit", ["Parle-G@Parle", "Parle|Monaco", "Parle|Krackjack", "Parle|Hide & Seek", "Britannia|Marie Gold", "Britannia|Bourbon", "Britannia|NutriChoice", "Britannia|Milk Bikis", "Britannia|50-50", "Sunfeast|Dark Fantasy", "Sunfeast|Marie Light", "McVitie's|Digestive", "Oreo", "Priyagold|Butter Bite"], "75 g=10; 200 g=30; 400 g=60; 800 g=100"),
  p("Cookies", "biscuit, biscut, biskut, cookies", ["Britannia|Good Day", "Sunfeast|Mom's Magic", "Unibic", "Karachi Bakery", "Cookie Man"], "100 g=30; 200 g=55; 600 g=150", ["Cashew", "Butter", "Choco Chip", "Pista Badam", "Fruit"]),
  p("Instant Noodles", "noodles, maggi", ["Maggi", "Yippee", "Knorr", "Ching's Secret", "Top Ramen", "Wai Wai"], "70 g=14; 280 g=56; 560 g=108", ["Masala", "Atta", "Chilli Garlic", "Schezwan"]),
  p("Pasta", "pasta, macaroni", ["Del Monte", "Borges", "Disano", "Bambino", "Sunfeast|Pasta Treat"], "500 g=90; 1 kg=170", ["Penne", "Fusilli", "Macaroni", "Spaghetti"]),
  p("Vermicelli", "sevai, sewai, shevaya, semiya, vermicelli", ["Bambino", "Anil", "MTR", "Savorit"], "200 g=25; 400 g=48; 900 g=100", ["", "Roasted"]),
  p("Honey", "shahad, shehad, madh, honey", ["Dabur", "Saffola", "Patanjali", "Apis", "Zandu"], "250 g=110; 500 g=210; 1 kg=399"),
  p("Oats", "oats, jai", ["Quaker", "Saffola", "Kellogg's", "True Elements", "Bagrry's"], "500 g=110; 1 kg=199", ["", "Rolled", "Masala"]),
  p("Corn Flakes", "cornflakes, corn flakes, cereal", ["Kellogg's", "Bagrry's", "Saffola"], "250 g=100; 475 g=185; 875 g=330", ["Original", "Honey Almond"]),
  p("Muesli", "muesli, cereal", ["Kellogg's", "Bagrry's", "Yoga Bar", "True Elements"], "500 g=330; 1 kg=600", ["Fruit & Nut", "Crunchy", "No Added Sugar"]),
  p("", "namkeen, farsan, chivda", ["Haldiram's", "Bikaji", "Balaji", "Chitale", "Bikano", "Prabhuji"], "150 g=45; 400 g=110; 1 kg=260", ["Aloo Bhujia|aloo bhujia", "Bhujia Sev", "Moong Dal", "Navratan Mix", "Khatta Meetha", "Lemon Chivda", "Ratlami Sev", "Bakarwadi|bakarwadi, bhakarwadi"]),
  p("Potato Chips", "chips, wafers", ["Lay's", "Bingo", "Uncle Chipps", "Pringles", "Balaji", "Haldiram's"], "50 g=20; 90 g=40; 150 g=60", ["Classic Salted", "Masala", "Cream & Onion", "Tomato", "Peri Peri", "Chilli Lemon"]),
  p("Chocolate", "chocolate, choco", ["Cadbury|Dairy Milk", "Cadbury|Dairy Milk Silk", "Cadbury|Bournville", "Nestle|KitKat", "Nestle|Munch", "Amul|Dark", "Amul|Milk", "Hershey's", "Lindt"], "13 g=10; 50 g=45; 150 g=175"),
  p("Ketchup", "ketchup, sauce, tomato sauce", ["Kissan", "Maggi", "Heinz", "Del Monte", "Tops"], "200 g=45; 500 g=105; 1 kg=160", ["Fresh Tomato", "Hot & Sweet", "No Onion No Garlic"]),
  p("Jam", "jam", ["Kissan", "Mapro", "Del Monte", "Tops"], "200 g=75; 500 g=170", ["Mixed Fruit", "Strawberry", "Mango", "Pineapple"]),
  p("Pickle", "achar, achaar, loncha, pickle", ["Mother's Recipe", "Priya", "Nilon's", "Pravin", "Bedekar", "Patanjali"], "300 g=90; 500 g=140; 1 kg=260", ["Mango", "Lime", "Mixed", "Garlic", "Green Chilli"]),
  p("Papad", "papad, papadam, poppadom", ["Lijjat", "Haldiram's", "Bikaji"], "200 g=60; 400 g=115", ["Udad", "Moong", "Masala", "Punjabi Masala"]),
  p("Mix", "instant mix, ready mix", ["MTR", "Gits", "Chitale", "Aashirvaad"], "200 g=95; 500 g=220", ["Gulab Jamun", "Rava Idli", "Dosa", "Dhokla", "Upma", "Rava Dosa"]),
  p("Ready Meal", "ready to eat, instant", ["MTR", "Haldiram's", "Gits", "Kitchens of India"], "300 g=110", ["Dal Makhani", "Paneer Butter Masala", "Rajma Masala", "Pav Bhaji", "Palak Paneer", "Chana Masala"]),
  p("Almonds", "badam, almond", ["Happilo", "Nutraj", "Tata Sampann", "Farmley", "Vedaka"], "100 g=110; 250 g=270; 500 g=520; 1 kg=1000", ["", "California"]),
  p("Cashews", "kaju, cashew", ["Happilo", "Nutraj", "Tata Sampann", "Farmley", "Vedaka"], "100 g=120; 250 g=290; 500 g=560", ["Whole", "Roasted Salted"]),
  p("Raisins", "kishmish, manuka, bedana, raisins", ["Happilo", "Nutraj", "Farmley", "Vedaka"], "100 g=50; 250 g=120; 500 g=230", ["", "Black"]),
  p("Walnuts", "akhrot, walnut", ["Happilo", "Nutraj", "Farmley", "Vedaka"], "100 g=150; 250 g=360"),
  p("Pistachios", "pista, pistachio", ["Happilo", "Nutraj", "Farmley"], "100 g=180; 200 g=350", ["Roasted Salted", "Plain"]),
  p("Dates", "khajur, khajoor, dates", ["Happilo", "Lion", "Farmley", "Nutraj"], "250 g=120; 500 g=230", ["", "Seedless"]),
  p("Peanuts", "shengdana, moongphali, mungfali, peanuts", GRAIN, "500 g=80; 1 kg=150", ["", "Roasted"]),
  p("Peanut Butter", "peanut butter", ["Pintola", "Sundrop", "MyFitness", "Dr. Oetker Fun Foods"], "350 g=180; 1 kg=420", ["Creamy", "Crunchy", "Chocolate"]),
  p("Soft Drink", "cold drink, thanda, soda", ["Coca-Cola", "Thums Up", "Sprite", "Pepsi", "Limca", "Fanta", "Mountain Dew", "7UP", "Appy Fizz"], "250 ml=20; 750 ml=40; 2.25 l=95"),
  p("Mango Drink", "mango drink, aam ras, aam", ["Maaza", "Frooti", "Slice", "Paper Boat"], "600 ml=40; 1.2 l=70"),
  p("Juice", "juice, ras", ["Real", "Tropicana", "B Natural", "Paper Boat"], "200 ml=20; 1 l=110", ["Orange", "Mixed Fruit", "Apple", "Guava", "Litchi", "Pomegranate"]),
  p("Health Drink", "health drink, bournvita, horlicks", ["Cadbury|Bournvita", "Horlicks", "Boost", "Complan", "Protinex"], "500 g=250; 1 kg=470", ["", "Chocolate"]),
  p("Condensed Milk", "condensed milk, milkmaid", ["Nestle|Milkmaid", "Amul|Mithai Mate"], "400 g=140"),
  p("Dairy Whitener", "milk powder, doodh powder", ["Nestle|Everyday", "Amul|Spray", "Amulya"], "200 g=95; 1 kg=450"),
  p("Mayonnaise", "mayo, mayonnaise", ["Dr. Oetker Fun Foods", "Veeba", "Wingreens", "Del Monte"], "250 g=90; 875 g=260", ["Veg", "Tandoori", "Garlic"]),
  p("Schezwan Chutney", "schezwan, chutney", ["Ching's Secret", "Maggi", "Wingreens"], "250 g=85"),
  p("Custard Powder", "custard", ["Weikfield", "Brown & Polson", "Dr. Oetker"], "100 g=40; 500 g=150", ["Vanilla", "Strawberry", "Mango"]),
  p("Cornflour", "cornflour, corn starch, arrowroot", ["Weikfield", "Brown & Polson", "Tata Sampann"], "100 g=25; 500 g=90"),
  p("Baking Soda", "khane ka soda, meetha soda, soda", ["Weikfield", "Dr. Oetker", "Blue Bird"], "100 g=25"),
  p("Cerelac", "baby food, cerelac", ["Nestle"], "300 g=260", ["Wheat", "Rice", "Wheat Apple", "Multigrain"]),
  p("Frozen Green Peas", "frozen matar, matar, peas", ["Safal", "Godrej Yummiez", "McCain", "Sumeru"], "500 g=90; 1 kg=170"),
  p("French Fries", "fries, french fries", ["McCain", "Godrej Yummiez", "Sumeru"], "420 g=110; 750 g=180"),
  p("Aloo Tikki", "aloo tikki, tikki", ["McCain", "Sumeru", "Godrej Yummiez"], "400 g=120")
]

const HOUSEHOLD: ReadonlyArray<Product> = [
  p("Detergent Powder", "detergent, washing powder, kapde dhone ka powder, surf", ["Surf Excel|Easy Wash", "Surf Excel|Quick Wash", "Ariel|Complete", "Tide|Plus", "Tide|Jasmine & Rose", "Rin", "Wheel", "Ghadi", "Henko|Stain Care", "Nirma"], "500 g=70; 1 kg=135; 2 kg=260; 4 kg=500"),
  p("Liquid Detergent", "detergent, liquid detergent", ["Surf Excel|Matic", "Ariel|Matic", "Tide|Matic", "Henko|Matic", "Genteel", "Ezee"], "500 ml=130; 1 l=240; 2 l=460", ["Front Load", "Top Load"]),
  p("Detergent Bar", "sabun, kapde ka sabun, detergent bar", ["Rin", "Surf Excel", "Wheel", "Ghadi", "Nirma", "Sunlight"], "150 g=12; 250 g=20; 4 x 250 g=75"),
  p("Dishwash Bar", "bartan ka sabun, sabun, dishwash, vim", ["Vim", "Exo", "Pril", "Patanjali"], "135 g=10; 300 g=25; 3 x 300 g=70", ["", "Lemon"]),
  p("Dishwash Liquid", "bartan dhone ka liquid, dishwash, vim", ["Vim", "Pril", "Exo"], "250 ml=55; 500 ml=105; 750 ml=150; 1.8 l=340", ["Lemon", "Pudina", "Lime"]),
  p("Floor Cleaner", "pocha, phenyl, floor cleaner", ["Lizol", "Domex", "Dettol", "Presto", "Godrej|Protekt"], "500 ml=110; 975 ml=200; 2 l=380", ["Citrus", "Floral", "Pine", "Jasmine", "Lavender"]),
  p("Toilet Cleaner", "toilet cleaner, harpic", ["Harpic|Power Plus", "Domex", "Lizol", "Sanifresh", "Presto"], "500 ml=95; 1 l=180", ["Original", "Citrus", "Rose"]),
  p("Glass Cleaner", "glass cleaner, colin", ["Colin", "Presto", "Godrej"], "500 ml=105; 2 l=380", ["", "Refill"]),
  p("Bathroom Cleaner", "bathroom cleaner", ["Harpic", "Lizol", "Domex"], "500 ml=120; 1 l=220"),
  p("Phenyl", "phenyl, phenol, ghar saaf", ["Nice", "Presto", "Sanifresh", "Bengal Chemicals"], "1 l=80; 5 l=330"),
  p("Disinfectant Liquid", "disinfectant, dettol", ["Dettol", "Savlon", "Lifebuoy"], "500 ml=190; 1 l=360", ["", "Lime Fresh", "Menthol Cool"]),
  p("Fabric Conditioner", "fabric softener, fabric conditioner", ["Comfort", "Downy", "Softouch"], "430 ml=80; 860 ml=200", ["Morning Fresh", "Lily Fresh", "Blue"]),
  p("Fabric Whitener", "neel, ujala, fabric whitener", ["Ujala|Supreme", "Robin|Liquid Blue", "Tinopal"], "75 ml=30; 250 ml=75"),
  p("Stain Remover", "stain remover", ["Vanish", "Surf Excel", "Ezee"], "400 ml=170; 800 ml=320"),
  p("Garbage Bags", "kachra bag, dustbin bag, garbage bag", ["Presto", "Ezee", "Beco", "Shalimar"], "30 pcs=90; 90 pcs=250", ["Small", "Medium", "Large"]),
  p("Scrub Pad", "scrubber, juna, kuchna, scrub", ["Scotch-Brite", "Exo", "Gala", "Spotzero"], "3 pcs=40; 6 pcs=75", ["", "Steel"]),
  p("Mosquito Repellent Refill", "machhar, macchar, mosquito, repellent", ["Good Knight|Gold Flash", "All Out", "Maxo", "Mortein"], "45 ml=80; 2 x 45 ml=150", ["", "Neem"]),
  p("Mosquito Coil", "machhar coil, mosquito coil", ["Good Knight", "Mortein", "Maxo", "Tortoise"], "10 pcs=45; 20 pcs=85"),
  p("Insect Spray", "cockroach spray, kida maar, hit", ["Hit", "Baygon", "Mortein", "Godrej"], "200 ml=140; 400 ml=240", ["Cockroach", "Mosquito & Fly"]),
  p("Air Freshener", "room freshener, air freshener", ["Odonil", "Godrej|Aer", "Ambi Pur", "Airwick"], "50 g=55; 220 ml=190", ["Lavender", "Jasmine", "Rose", "Citrus", "Ocean"]),
  p("Naphthalene Balls", "naphthalene, goli, dambar goli", ["Odonil", "Presto", "Nice"], "100 g=45; 200 g=85"),
  p("Kitchen Towel", "tissue, kitchen roll, kitchen towel", ["Origami", "Presto", "Kleenex", "Selpak"], "2 rolls=110; 4 rolls=210"),
  p("Toilet Roll", "tissue, toilet paper, toilet roll", ["Origami", "Presto", "Kleenex", "Selpak"], "4 rolls=140; 10 rolls=330"),
  p("Facial Tissue", "tissue, facial tissue", ["Origami", "Presto", "Kleenex", "Selpak"], "100 pulls=70; 200 pulls=130"),
  p("Paper Napkins", "napkin, tissue", ["Origami", "Presto", "Ezee"], "50 pcs=45; 100 pcs=85"),
  p("Aluminium Foil", "foil, silver paper, silver foil", ["Hindalco|Freshwrapp", "Presto", "Ezee", "Origami"], "9 m=85; 25 m=200; 72 m=500", ["", "Heavy Duty"]),
  p("Cling Wrap", "cling film, cling wrap", ["Hindalco|Freshwrapp", "Presto", "Ezee"], "30 m=150; 100 m=420"),
  p("Agarbatti", "agarbatti, dhoop, incense, udbatti", ["Cycle", "Mangaldeep", "Zed Black", "Hem", "Moksh"], "40 sticks=30; 100 g=55", ["Sandal", "Rose", "Lavender", "Jasmine", "Three in One", "Mogra"]),
  p("Camphor", "kapoor, kapur, camphor", ["Mangaldeep", "Cycle", "Mangalam"], "50 g=70; 100 g=130", ["", "Tablets"]),
  p("Broom", "jhadu, jharu, kharata, broom", ["Gala", "Presto", "Scotch-Brite", "Spotzero"], "1 pc=90", ["Grass", "Plastic", "Coconut Stick"]),
  p("Mop", "pocha, mop", ["Gala", "Scotch-Brite", "Spotzero", "Prestige"], "1 pc=450", ["Spin", "Flat", "Cotton Refill"]),
  p("Cleaning Gloves", "gloves, hath mauje", ["Gala", "Scotch-Brite", "Spotzero"], "1 pair=90", ["Small", "Medium", "Large"]),
  p("Paper Plates", "plates, dona, paper plate", ["Ezee", "Chuk", "Presto"], "25 pcs=80; 50 pcs=150", ["7 inch", "10 inch"]),
  p("Shoe Polish", "polish, boot polish", ["Cherry Blossom", "Kiwi"], "40 g=50", ["Black", "Brown", "Neutral"]),
  p("Batteries", "cell, battery", ["Duracell", "Eveready", "Panasonic"], "2 pcs=60; 4 pcs=110", ["AA", "AAA"]),
  p("LED Bulb", "bulb, led, light", ["Philips", "Syska", "Wipro", "Havells"], "1 pc=110; 2 pcs=200", ["9 W", "12 W"]),
  p("Candles", "mombatti, candle", ["Mangaldeep", "Home Glow", "Cycle"], "6 pcs=40; 12 pcs=75")
]

const PERSONAL: ReadonlyArray<Product> = [
  p("Bathing Bar", "sabun, nahane ka sabun, soap", ["Dove|Cream Beauty", "Dove|Pink Rosa", "Dove|Fresh Moisture", "Pears|Pure & Gentle", "Pears|Oil Clear", "Lux|Soft Glow", "Vivel|Aloe Vera", "Fiama|Gel"], "75 g=35; 100 g=55; 3 x 100 g=155; 4 x 125 g=240"),
  p("Soap", "sabun, nahane ka sabun, soap", ["Lifebuoy|Total 10", "Dettol|Original", "Dettol|Cool", "Santoor|Sandal & Turmeric", "Cinthol|Lime", "Medimix|Ayurvedic", "Mysore Sandal", "Godrej No.1|Lime", "Hamam|Neem", "Margo|Neem", "Liril|Lemon & Tea Tree"], "75 g=30; 100 g=42; 4 x 100 g=150; 4 x 125 g=185"),
  p("Shampoo", "shampoo, baal dhone ka", ["Clinic Plus|Strong & Long", "Head & Shoulders|Anti Dandruff", "Pantene|Hair Fall Control", "Dove|Intense Repair", "Sunsilk|Black Shine", "TRESemme|Keratin Smooth", "L'Oreal Paris|Total Repair 5", "Himalaya|Anti Dandruff", "Chik", "Meera|Herbal"], "80 ml=70; 180 ml=160; 340 ml=300; 650 ml=550"),
  p("Conditioner", "conditioner", ["Dove", "Pantene", "TRESemme", "L'Oreal Paris", "Sunsilk"], "80 ml=85; 180 ml=190; 340 ml=340", ["Intense Repair", "Hair Fall Rescue", "Smooth & Silky"]),
  p("Toothpaste", "manjan, dant manjan, toothpaste", ["Colgate|Strong Teeth", "Colgate|MaxFresh", "Pepsodent|Germicheck", "Close Up|Red Hot", "Sensodyne|Fresh Mint", "Dabur|Red", "Patanjali|Dant Kanti", "Meswak", "Vicco|Vajradanti", "Himalaya|Complete Care"], "100 g=55; 150 g=85; 200 g=110; 2 x 150 g=160"),
  p("Toothbrush", "brush, toothbrush", ["Colgate|ZigZag", "Colgate|Slim Soft", "Oral-B|Pro-Health", "Pepsodent", "Sensodyne"], "1 pc=40; 4 pcs=130", ["Soft", "Medium"]),
  p("Face Wash", "face wash, facewash, muh dhone ka", ["Himalaya|Purifying Neem", "Garnier|Men", "Clean & Clear", "Pond's", "Mamaearth", "Nivea", "Cetaphil", "Biotique"], "50 ml=90; 100 ml=170; 150 ml=240", ["", "Oil Control", "Brightening"]),
  p("Body Lotion", "lotion, moisturiser, moisturizer", ["Nivea", "Vaseline|Intensive Care", "Pond's", "Dove", "Parachute Advansed", "Himalaya", "Cetaphil"], "100 ml=120; 200 ml=220; 400 ml=380", ["Deep Moisture", "Aloe Fresh"]),
  p("Hair Oil", "tel, baal ka tel, hair oil", ["Parachute|Advansed", "Dabur|Amla", "Bajaj|Almond Drops", "Navratna|Cool", "Indulekha|Bringha", "Kesh King", "Nihar|Naturals", "Clinic Plus"], "100 ml=70; 200 ml=140; 300 ml=200"),
  p("Coconut Oil", "nariyal tel, khobrel tel, coconut oil, tel", ["Parachute", "KLF Nirmal", "Patanjali", "Dabur|Anmol", "Shalimar"], "100 ml=45; 250 ml=110; 500 ml=210; 1 l=400"),
  p("Deodorant", "deo, deodorant, body spray", ["Fogg", "Axe", "Nivea Men", "Park Avenue", "Wild Stone", "Engage", "Denver"], "150 ml=200; 2 x 150 ml=380", ["Fresh", "Intense", "Classic", "Sport"]),
  p("Talc", "powder, talc, talcum powder", ["Pond's|Dreamflower", "Nycil", "Cinthol", "Santoor", "Navratna|Cool", "Yardley"], "100 g=80; 400 g=230"),
  p("Hand Wash", "hand wash, handwash, haath dhone ka sabun, sabun", ["Dettol", "Lifebuoy", "Savlon", "Santoor", "Palmolive", "Himalaya"], "200 ml=99; 750 ml=190", ["Original", "Lemon", "Aloe Vera", "Sensitive"]),
  p("Hand Sanitizer", "sanitizer, sanitiser", ["Dettol", "Lifebuoy", "Savlon", "Himalaya"], "50 ml=25; 200 ml=95; 500 ml=220"),
  p("Shaving Cream", "shaving cream, dadhi", ["Gillette", "Park Avenue", "Old Spice", "Godrej", "Palmolive"], "30 g=35; 70 g=60"),
  p("Shaving Foam", "shaving foam, dadhi", ["Gillette", "Park Avenue", "Nivea Men", "Bombay Shaving Company"], "200 g=190; 418 g=330"),
  p("Razor", "razor, blade, dadhi", ["Gillette|Mach3", "Gillette|Guard", "Gillette|Presto", "Bombay Shaving Company", "Laser"], "1 pc=60; 3 pcs=150"),
  p("Sanitary Pads", "pads, sanitary napkin, sanitary pad", ["Whisper|Ultra Clean", "Stayfree|Secure", "Sofy|Antibacteria", "Nua", "Carmesi", "Paree"], "7 pcs=45; 15 pcs=170; 30 pcs=340", ["Regular", "XL", "XL+"]),
  p("Pants Diapers", "diaper, baby diaper, diapers", ["Pampers", "Huggies", "MamyPoko", "Himalaya"], "20 pcs=380; 40 pcs=720; 60 pcs=1050", ["Small", "Medium", "Large", "XL"]),
  p("Baby Lotion", "baby lotion, baby", ["Johnson's", "Himalaya", "Sebamed", "Mamaearth", "Mee Mee"], "100 ml=120; 200 ml=220; 500 ml=450"),
  p("Baby Shampoo", "baby shampoo, baby", ["Johnson's", "Himalaya", "Sebamed", "Mamaearth", "Mee Mee"], "100 ml=120; 200 ml=220; 500 ml=450"),
  p("Baby Oil", "baby oil, malish tel, baby", ["Johnson's", "Himalaya", "Dabur|Lal Tail", "Mamaearth", "Mee Mee"], "100 ml=110; 200 ml=200; 500 ml=420"),
  p("Baby Powder", "baby powder, baby", ["Johnson's", "Himalaya", "Mamaearth", "Mee Mee"], "100 g=90; 200 g=170; 400 g=300"),
  p("Baby Wipes", "wipes, baby wipes", ["Johnson's", "Himalaya", "Mamaearth", "Pampers", "Huggies"], "72 pcs=150; 3 x 72 pcs=399"),
  p("Lip Balm", "lip balm", ["Nivea", "Himalaya", "Vaseline", "Maybelline"], "4.8 g=95", ["Original", "Strawberry", "Cherry"]),
  p("Face Cream", "cream, face cream", ["Pond's|Light Moisturiser", "Nivea|Soft", "Lakme|Peach Milk", "Glow & Lovely", "Himalaya", "Boroplus"], "50 g=120; 100 g=220"),
  p("Sunscreen", "sunscreen, sunblock", ["Lakme|Sun Expert", "Neutrogena|Ultra Sheer", "Lotus Herbals", "Mamaearth", "The Derma Co"], "50 ml=250; 100 ml=450", ["SPF 30", "SPF 50"]),
  p("Face Serum", "serum, face serum", ["Minimalist", "The Derma Co", "Mamaearth", "Plum"], "30 ml=550", ["Niacinamide", "Vitamin C", "Hyaluronic Acid"]),
  p("Kajal", "kajal, kaajal, kohl", ["Lakme|Eyeconic", "Maybelline|Colossal", "Himalaya", "Sugar"], "0.35 g=220"),
  p("Mouthwash", "mouthwash", ["Listerine|Cool Mint", "Listerine|Total Care", "Colgate|Plax", "Colgate|Total"], "250 ml=150; 500 ml=260"),
  p("Hair Colour", "hair colour, hair color, hair dye, baal rangne ka", ["Godrej|Expert Rich Creme", "Garnier|Color Naturals", "L'Oreal Paris|Excellence", "Streax", "Indica"], "1 pack=150", ["Natural Black", "Brown Black", "Burgundy", "Dark Brown"]),
  p("Mehendi", "mehendi, mehndi, henna", ["Nisha", "Godrej|Nupur", "Indica"], "140 g=50; 500 g=150"),
  p("Body Wash", "body wash, shower gel", ["Dove|Deeply Nourishing", "Nivea", "Fiama", "Lux", "Palmolive", "Pears"], "250 ml=250; 500 ml=430"),
  p("Hair Removal Cream", "hair removal, veet", ["Veet", "Anne French"], "50 g=110; 100 g=220", ["Normal Skin", "Sensitive Skin", "Dry Skin"]),
  p("Beard Oil", "beard oil, dadhi", ["Beardo", "Bombay Shaving Company", "Ustraa", "The Man Company"], "30 ml=300"),
  p("Hair Serum", "hair serum, serum", ["Livon", "L'Oreal Paris", "Streax"], "50 ml=150; 100 ml=280"),
  p("Hair Gel", "gel, hair gel", ["Set Wet", "Gatsby", "Park Avenue"], "50 ml=60; 100 ml=110", ["Wet Look", "Cool Hold"]),
  p("Antiseptic Liquid", "dettol, antiseptic", ["Dettol", "Savlon"], "125 ml=70; 250 ml=125; 550 ml=230; 1 l=400"),
  p("Antiseptic Cream", "antiseptic cream, boroline", ["Boroline", "Boroplus", "Dettol", "Savlon"], "20 g=40; 40 g=75"),
  p("Pain Relief Balm", "balm, dard ki dawa", ["Zandu", "Amrutanjan", "Vicks|VapoRub", "Iodex", "Moov"], "25 ml=95; 50 ml=170")
]

const CATEGORIES: ReadonlyArray<readonly [Category, number, ReadonlyArray<Product>]> = [
  ["fresh_produce", 0.12, FRESH],
  ["dairy", 0.1, DAIRY],
  ["packaged_food", 0.45, PACKAGED],
  ["household_cleaning", 0.15, HOUSEHOLD],
  ["personal_care", 0.18, PERSONAL]
]

/** Price level for a label: produce grades are fixed premiums, other brands ±12% from a hash. */
const PREMIUM: Readonly<Record<string, number>> = { Fresh: 1, Organic: 1.5, Hydroponic: 1.4, Premium: 1.3 }

// ---------------------------------------------------------------------------
// SKUs
// ---------------------------------------------------------------------------

interface Candidate {
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly category: Category
  readonly unit: string
  readonly brand: string
  readonly rupees: number
}

const MIN_PAISE = 1_000
const MAX_PAISE = 150_000

/** Whole rupees from ₹100 up, ₹x.00 or ₹x.50 below; clamped to ₹10–₹1,500. */
const toPaise = (rupees: number): number => {
  const paise = rupees < 100 ? Math.round(rupees * 2) * 50 : Math.round(rupees) * 100
  return Math.min(MAX_PAISE, Math.max(MIN_PAISE, paise))
}

const parseBrand = (spec: string): { label: string; brand: string } => {
  const at = spec.indexOf("@")
  if (at >= 0) return { label: spec.slice(0, at), brand: spec.slice(at + 1) }
  const bar = spec.indexOf("|")
  if (bar >= 0) return { label: `${spec.slice(0, bar)} ${spec.slice(bar + 1)}`, brand: spec.slice(0, bar) }
  return { label: spec, brand: spec }
}

/** Every brand × variant × pack of one product. */
const expand = (category: Category, product: Product): Array<Candidate> => {
  const out: Array<Candidate> = []
  for (const brandSpec of product.brands) {
    const { brand, label } = parseBrand(brandSpec)
    const level = PREMIUM[label] ?? 0.88 + (hash(brand) % 1000) / 4000
    for (const variantSpec of product.variants) {
      const bar = variantSpec.indexOf("|")
      const variant = bar >= 0 ? variantSpec.slice(0, bar) : variantSpec
      const aliases = [...new Set([...product.aliases, ...(bar >= 0 ? list(variantSpec.slice(bar + 1)) : [])])]
      for (const [unit, rupees] of product.packs) {
        const name = [label, variant, product.base, unit].filter((s) => s.length > 0).join(" ")
        out.push({ name, aliases, category, unit, brand, rupees: rupees * level })
      }
    }
  }
  return out
}

/** Largest-remainder split of `total` by the category shares. */
const categoryCounts = (total: number): Array<number> => {
  const raw = CATEGORIES.map(([, share]) => share * total)
  const counts = raw.map(Math.floor)
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let k = 0, left = total - counts.reduce((a, b) => a + b, 0); k < left; k++) counts[order[k]![1]]!++
  return counts
}

const makeSkus = (rng: () => number, skuCount: number): Array<DemoSku> => {
  const counts = categoryCounts(skuCount)
  const used = new Set<string>()
  const picked: Array<Candidate> = []
  CATEGORIES.forEach(([category, , products], c) => {
    const want = counts[c]!
    const take = (candidate: Candidate): boolean => {
      if (used.has(candidate.name)) return false
      used.add(candidate.name)
      picked.push(candidate)
      return true
    }
    // One of every product first (so every alias is represented), then the rest at random.
    const pools = shuffle(rng, products.map((prod) => shuffle(rng, expand(category, prod))))
    const rest: Array<Candidate> = []
    let got = 0
    for (const [first, ...others] of pools) {
      if (first === undefined) continue
      if (got < want && take(first)) got++
      else rest.push(first)
      rest.push(...others)
    }
    shuffle(rng, rest)
    for (const candidate of rest) {
      if (got >= want) break
      if (take(candidate)) got++
    }
    // Not enough distinct products for the requested count: multipacks of what exists.
    for (let k = 2; got < want; k++) {
      for (const candidate of rest) {
        if (got >= want) break
        const multi: Candidate = {
          ...candidate,
          name: `${candidate.name} (Pack of ${k})`,
          unit: `${k} x ${candidate.unit}`,
          rupees: candidate.rupees * k * 0.95
        }
        if (take(multi)) got++
      }
    }
  })
  shuffle(rng, picked)
  return picked.map((c, i) => ({
    id: `sku-${String(i + 1).padStart(5, "0")}`,
    name: c.name,
    aliases: c.aliases,
    category: c.category,
    unit: c.unit,
    basePrice: toPaise(c.rupees * (0.94 + rng() * 0.12)),
    brand: c.brand
  }))
}

// ---------------------------------------------------------------------------
// Stock
// ---------------------------------------------------------------------------

const HOUR = 3_600_000
const OUT_OF_STOCK_RATE = 0.03
const NEAR_EXPIRY_RATE = 0.05

/** Hours until best-before for one batch. Fresh/dairy: a few percent land within 24–47 h. */
const shelfLifeHours = (rng: () => number, category: Category): number => {
  switch (category) {
    case "fresh_produce":
      return rng() < NEAR_EXPIRY_RATE ? randInt(rng, 24, 47) : randInt(rng, 49, 6 * 24)
    case "dairy":
      return rng() < NEAR_EXPIRY_RATE ? randInt(rng, 24, 47) : randInt(rng, 49, 10 * 24)
    case "packaged_food":
      return randInt(rng, 30, 365) * 24
    case "household_cleaning":
    case "personal_care":
      return randInt(rng, 180, 720) * 24
  }
}

const makeStock = (rng: () => number, now: number, skus: ReadonlyArray<DemoSku>): Array<DemoStock> => {
  const n = skus.length
  const lo = Math.ceil(0.6 * n)
  const hi = Math.floor(0.9 * n)
  const stock: Array<DemoStock> = []
  const index = new Int32Array(n)
  for (const store of STORES) {
    const carried = Math.min(hi, Math.max(lo, Math.round((0.6 + rng() * 0.3) * n)))
    for (let i = 0; i < n; i++) index[i] = i
    for (let i = 0; i < carried; i++) {
      const j = i + Math.floor(rng() * (n - i))
      const t = index[i]!
      index[i] = index[j]!
      index[j] = t
    }
    const chosen = Array.from(index.subarray(0, carried)).sort((a, b) => a - b)
    for (const k of chosen) {
      const sku = skus[k]!
      const out = rng() < OUT_OF_STOCK_RATE
      const r = rng()
      const count = r < 0.5 ? 1 : r < 0.85 ? 2 : 3
      const expiries: Array<number> = []
      for (let b = 0; b < count; b++) expiries.push(now + shelfLifeHours(rng, sku.category) * HOUR)
      expiries.sort((a, b) => a - b)
      const skuNo = sku.id.slice(4)
      stock.push({
        storeId: store.id,
        skuId: sku.id,
        batches: expiries.map((bestBefore, b) => ({
          lot: `L-${store.short}-${skuNo}-${b + 1}`,
          qty: out ? 0 : randInt(rng, 1, 120),
          bestBefore
        })),
        reorderThreshold: randInt(rng, 5, 20)
      })
    }
  }
  return stock
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

/**
 * Builds the demo catalogue. `now` anchors every best-before date; `seed`
 * (default 20261121) drives every other choice. `skuCount` (default 4,200) must
 * be an integer in 1–99,999. Throws RangeError on bad options.
 */
export const makeDemoCatalogue = (options: {
  readonly seed?: number | undefined
  readonly now: number
  readonly skuCount?: number | undefined
}): DemoCatalogue => {
  const seed = options.seed ?? DEMO_DEFAULT_SEED
  const skuCount = options.skuCount ?? DEMO_DEFAULT_SKU_COUNT
  if (!Number.isFinite(options.now)) throw new RangeError(`now must be finite epoch millis, got ${options.now}`)
  if (!Number.isInteger(skuCount) || skuCount < 1 || skuCount > 99_999) {
    throw new RangeError(`skuCount must be an integer in 1..99999, got ${skuCount}`)
  }
  const rng = mulberry32(seed)
  const skus = makeSkus(rng, skuCount)
  const stock = makeStock(rng, options.now, skus)
  const stores = STORES.map(({ short: _short, ...store }) => ({ ...store, pincodes: [...store.pincodes] }))
  return { stores, skus, stock }
}
