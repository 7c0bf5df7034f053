// GOV.UK Frontend's class on <body> (loaded at the top of the body, before anything is drawn).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
