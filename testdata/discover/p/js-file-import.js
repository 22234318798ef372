import x from "../t/js-file-import";
x();
