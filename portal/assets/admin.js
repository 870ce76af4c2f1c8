// Docket's admin: a form marked `data-confirm` (it ends or loses something) asks in a dialog
// before it posts, then posts with `confirmed=yes`. Without this script the same form posts
// as it is and the server's confirm page asks instead, so nothing here is needed to use the admin.
// `data-confirm-when` names a checkbox: the form asks only while it is ticked.
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function") {
    return;
  }
  var dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.setAttribute("aria-labelledby", "confirm-dialog-heading");
  dialog.setAttribute("aria-describedby", "confirm-dialog-question");
  var heading = document.createElement("h2");
  heading.id = "confirm-dialog-heading";
  var question = document.createElement("p");
  question.id = "confirm-dialog-question";
  var buttons = document.createElement("div");
  buttons.className = "actions";
  var yes = document.createElement("button");
  yes.type = "button";
  yes.className = "primary";
  yes.id = "confirm-dialog-yes";
  var no = document.createElement("button");
  no.type = "button";
  no.id = "confirm-dialog-no";
  no.textContent = "Cancel";
  buttons.appendChild(yes);
  buttons.appendChild(no);
  dialog.appendChild(heading);
  dialog.appendChild(question);
  dialog.appendChild(buttons);

  var pending = null;
  var opener = null;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) {
      return;
    }
    if (form.querySelector("input[name='confirmed'][value='yes']")) {
      return;
    }
    // `data-confirm-when="NAME"`: ask only while the checkbox NAME is ticked.
    var when = form.getAttribute("data-confirm-when");
    if (when && !form.querySelector("input[name='" + when + "']:checked")) {
      return;
    }
    event.preventDefault();
    pending = form;
    opener = event.submitter || document.activeElement;
    heading.textContent = form.getAttribute("data-confirm-heading") || "Are you sure?";
    question.textContent = form.getAttribute("data-confirm");
    yes.textContent = form.getAttribute("data-confirm-yes") || "Yes";
    if (!dialog.isConnected) {
      document.body.appendChild(dialog);
    }
    dialog.showModal();
    // The safe answer has the focus: Enter does not end anything by mistake.
    no.focus();
  });

  yes.addEventListener("click", function () {
    var form = pending;
    pending = null;
    dialog.close();
    if (!form) {
      return;
    }
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "confirmed";
    field.value = "yes";
    form.appendChild(field);
    form.submit();
  });

  no.addEventListener("click", function () {
    dialog.close();
  });

  dialog.addEventListener("close", function () {
    if (pending && opener && typeof opener.focus === "function") {
      opener.focus();
    }
    pending = null;
  });
})();
