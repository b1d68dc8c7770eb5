// Copied into each page of the site check's own build (never into the published site): once the page is laid out,
// the body's data-clipped-charts names every chart wider than the box that holds it, which would hide its right part.
document.body.setAttribute("data-clipped-charts", Array.from(document.querySelectorAll("svg.chart"))
  .filter((svg) => svg.getBoundingClientRect().width > svg.parentElement.getBoundingClientRect().width + 0.5)
  .map((svg) => (svg.getAttribute("aria-labelledby") || "unnamed").split(" ")[0])
  .join(" "));
