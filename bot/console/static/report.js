// The monthly report's print button (the browser saves the page as PDF; print CSS hides the bars).
"use strict";
document.getElementById("print").addEventListener("click", function () { window.print(); });
