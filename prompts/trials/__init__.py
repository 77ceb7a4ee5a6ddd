"""Try before you buy: a buyer renders a listing's hidden prompt with their own values, a few times,
and sees a labelled, watermarked, smaller result; the prompt's text never reaches them."""
