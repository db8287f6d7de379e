package campaigns_test

// padStart is how the run that pads a preheader, after it in its hidden
// <div>, starts in a mail's HTML part (mail/_preheader.html): a test that
// wants a preheader whole wants it followed by padStart.
const padStart = "&#847;&zwnj;&nbsp;"
