// links in scripts are not followed: "/never-fetched.html"
document.documentElement.className = "js";
