

def test_the_embed_code_is_copied_from_the_keyboard(map_site, browser):  # noqa: F811
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{map_site.url}/poles/?region=ile-de-france")
        page.locator(".embed-code summary").focus()
        page.keyboard.press("Enter")  # opens the <details>
        page.locator(".embed-code textarea").focus()
        page.keyboard.press("Tab")  # to the copy button
        assert page.evaluate("document.activeElement.dataset.copy") == "embed-code-directory"
        page.keyboard.press("Enter")
        status = page.locator(".embed-copy-status")
        status.filter(has_text="Code copié.").wait_for(timeout=5_000)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator(".embed-code textarea").input_value()
        assert copied.startswith('<iframe src="http://localhost:')
        assert "/integrer/annuaire/?region=ile-de-france" in copied
    finally:
        context.close()
