console.log(1);
//# sourceMappingURL=../t/js-file-sourcemap
