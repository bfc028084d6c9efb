// The widget's own module (its `_esm`): it asks the kernel for the live view's code and stylesheet
// (live.js, live.css and the grid styles) and runs it. The code travels as a message, not as the widget's
// state, so a saved notebook does not store a copy of it (see cnnlib/explorers/live.py).
const modules = new Map();   // code -> the module made from it, once per page

function receive(model) {
  return new Promise((resolve) => {
    const onCode = (msg) => {
      if (!msg || msg.event !== "code") return;
      model.off("msg:custom", onCode);
      resolve(msg);
    };
    model.on("msg:custom", onCode);
    model.send({ event: "code" });
  });
}

async function render({ model, el }) {
  el.textContent = "…";   // until the kernel answers (a widget restored without its kernel never gets further)
  const { esm, css } = await receive(model);
  let style = document.getElementById("cnnlib-live-css");
  if (!style) {
    style = document.createElement("style");
    style.id = "cnnlib-live-css";
    document.head.appendChild(style);
  }
  if (style.textContent !== css) style.textContent = css;
  if (!modules.has(esm)) modules.set(esm, import(URL.createObjectURL(new Blob([esm], { type: "text/javascript" }))));
  const live = (await modules.get(esm)).default;
  return live.render({ model, el });
}

export default { render };
