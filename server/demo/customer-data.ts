/** The raw material of the demo customers: regions with names and time zones, products, pages, texts. */

export interface Region {
  country: string;
  timezone: string;
  locale: string;
  phone: string;
  currency: string;
  first: string[];
  last: string[];
  weight: number;
}

export const REGIONS: Region[] = [
  {
    country: "DE",
    timezone: "Europe/Berlin",
    locale: "de-DE",
    phone: "+4915",
    currency: "EUR",
    weight: 16,
    first: ["Lena", "Jonas", "Mia", "Felix", "Hannah", "Lukas", "Emilia", "Paul"],
    last: ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker"],
  },
  {
    country: "GB",
    timezone: "Europe/London",
    locale: "en-GB",
    phone: "+447",
    currency: "GBP",
    weight: 10,
    first: ["Oliver", "Amelia", "Harry", "Isla", "George", "Freya"],
    last: ["Smith", "Jones", "Taylor", "Brown", "Evans", "Khan"],
  },
  {
    country: "FR",
    timezone: "Europe/Paris",
    locale: "fr-FR",
    phone: "+336",
    currency: "EUR",
    weight: 8,
    first: ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Gabriel"],
    last: ["Martin", "Bernard", "Dubois", "Moreau", "Lefèvre"],
  },
  {
    country: "US",
    timezone: "America/New_York",
    locale: "en-US",
    phone: "+1212",
    currency: "USD",
    weight: 12,
    first: ["James", "Olivia", "Ethan", "Ava", "Noah", "Sophia", "Mason"],
    last: ["Johnson", "Williams", "Garcia", "Miller", "Davis", "Rodriguez"],
  },
  {
    country: "US",
    timezone: "America/Los_Angeles",
    locale: "en-US",
    phone: "+1415",
    currency: "USD",
    weight: 8,
    first: ["Emma", "Daniel", "Chloe", "Ryan", "Maya", "Kai"],
    last: ["Nguyen", "Kim", "Martinez", "Anderson", "Lee"],
  },
  {
    country: "BR",
    timezone: "America/Sao_Paulo",
    locale: "pt-BR",
    phone: "+5511",
    currency: "BRL",
    weight: 6,
    first: ["Gabriel", "Ana", "Lucas", "Beatriz", "Rafael", "Júlia"],
    last: ["Silva", "Santos", "Oliveira", "Souza", "Costa"],
  },
  {
    country: "MX",
    timezone: "America/Mexico_City",
    locale: "es-MX",
    phone: "+5255",
    currency: "MXN",
    weight: 4,
    first: ["Sofía", "Mateo", "Valentina", "Santiago"],
    last: ["Hernández", "López", "González", "Ramírez"],
  },
  {
    country: "JP",
    timezone: "Asia/Tokyo",
    locale: "ja-JP",
    phone: "+8190",
    currency: "JPY",
    weight: 6,
    first: ["Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi"],
    last: ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe"],
  },
  {
    country: "IN",
    timezone: "Asia/Kolkata",
    locale: "en-IN",
    phone: "+9198",
    currency: "INR",
    weight: 8,
    first: ["Aarav", "Ananya", "Vivaan", "Diya", "Ishaan", "Saanvi"],
    last: ["Sharma", "Patel", "Iyer", "Reddy", "Gupta"],
  },
  {
    country: "AU",
    timezone: "Australia/Sydney",
    locale: "en-AU",
    phone: "+614",
    currency: "AUD",
    weight: 6,
    first: ["Jack", "Charlotte", "Noah", "Matilda", "William", "Grace"],
    last: ["Wilson", "Nguyen", "Thompson", "White", "Walker"],
  },
  {
    country: "NZ",
    timezone: "Pacific/Auckland",
    locale: "en-NZ",
    phone: "+6421",
    currency: "NZD",
    weight: 4,
    first: ["Nikau", "Aria", "Liam", "Ruby", "Manaia"],
    last: ["Ngata", "Walker", "Parata", "Harris"],
  },
  {
    country: "ZA",
    timezone: "Africa/Johannesburg",
    locale: "en-ZA",
    phone: "+2782",
    currency: "ZAR",
    weight: 5,
    first: ["Thabo", "Naledi", "Sipho", "Zanele", "Pieter"],
    last: ["Dlamini", "Nkosi", "van der Merwe", "Botha", "Mokoena"],
  },
  {
    country: "NG",
    timezone: "Africa/Lagos",
    locale: "en-NG",
    phone: "+23480",
    currency: "NGN",
    weight: 4,
    first: ["Chinedu", "Amara", "Tunde", "Ngozi"],
    last: ["Okafor", "Adeyemi", "Eze", "Balogun"],
  },
  {
    country: "SG",
    timezone: "Asia/Singapore",
    locale: "en-SG",
    phone: "+659",
    currency: "SGD",
    weight: 3,
    first: ["Wei Jie", "Hui Min", "Arjun", "Nur"],
    last: ["Tan", "Lim", "Lee", "Rahman"],
  },
];

export const ACCOUNT_MANAGERS = ["Sam Lee", "Priya Nair", "Jonas Berg", "Marta Costa"];

export const PRODUCTS = [
  { id: "sku-1001", name: "Merino crew sweater", category: "apparel", price: 89 },
  { id: "sku-1002", name: "Linen shirt", category: "apparel", price: 59 },
  { id: "sku-1003", name: "Trail running shoes", category: "shoes", price: 129 },
  { id: "sku-1004", name: "Leather sneakers", category: "shoes", price: 149 },
  { id: "sku-1005", name: "Ceramic pour-over set", category: "home", price: 45 },
  { id: "sku-1006", name: "Wool throw blanket", category: "home", price: 99 },
  { id: "sku-1007", name: "Noise-cancelling headphones", category: "electronics", price: 249 },
  { id: "sku-1008", name: "Smart fitness band", category: "electronics", price: 79 },
  { id: "sku-1009", name: "Canvas weekender bag", category: "accessories", price: 119 },
  { id: "sku-1010", name: "Stainless water bottle", category: "accessories", price: 29 },
  { id: "sku-1011", name: "Organic face serum", category: "beauty", price: 38 },
  { id: "sku-1012", name: "Yoga mat", category: "sports", price: 55 },
];

export const PAGES = [
  { name: "Home", path: "/" },
  { name: "New arrivals", path: "/new" },
  { name: "Sale", path: "/sale" },
  { name: "Help centre", path: "/help" },
  { name: "Shipping & returns", path: "/help/shipping" },
];

export const TICKET_TOPICS = ["delivery", "refund", "sizing", "payment", "account", "damaged item"];
export const CHAT_LINES = [
  "Hi, where is my order? It was supposed to arrive yesterday.",
  "Can I change the size of the shoes I ordered?",
  "Thanks, that was quick!",
  "This is the second time my delivery is late, really not happy.",
  "Do you ship to Norway?",
  "I want to speak to a real person about my refund.",
];
export const SURVEY_COMMENTS = [
  "Fast delivery and great quality.",
  "Good products but the checkout was confusing.",
  "Support took too long to answer.",
  "Love the new collection!",
  "",
];
