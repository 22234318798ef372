fetch("/t/js-file-fetch", {method: "POST"});
